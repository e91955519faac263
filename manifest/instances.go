package manifest

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// A module block with instances = N stands for N modules, NAME.0 …
// NAME.(N-1), each a full module with its own status directory. Each is the
// block evaluated again with two variables: instance (its number) and, with
// port_base, port (port_base + instance), so that a ready check or a
// command can name the instance's own port. Its environment gets
// SVMAN_INSTANCE and, with port_base, PORT. svman scale changes N at run time
// (scale.go); the manifest's value wins again once it is edited.

// MaxInstances is the most instances one module block may have.
const MaxInstances = 10000

// Names of the variables an instance's block is evaluated with.
const (
	instanceVar = "instance"
	portVar     = "port"
)

// instanceDecl is what a module block says of its instances.
type instanceDecl struct {
	declared *int // instances; nil when not written or invalid
	portBase *int // port_base; nil when not written or invalid
	// written tell instances and port_base were written, valid or not: the
	// variables are defined then, so that an invalid value is not also
	// reported as an unknown variable wherever it is used.
	instancesWritten, portWritten bool
}

// instanceDecl evaluates instances and port_base. They may not use the
// instance's variables: they decide what those are.
func (ev *evaluator) instanceDecl(body *rawSettings) instanceDecl {
	d := instanceDecl{
		declared: ev.intIn("instances", body.Instances, 0, MaxInstances, "instances is how many copies of the module run: NAME.0, NAME.1, ..."),
		portBase: ev.intIn("port_base", body.PortBase, 1, 65535, "port_base is the PORT of the first instance, a TCP port."),

		instancesWritten: body.InstancesRange.Filename != "",
		portWritten:      body.PortBaseRange.Filename != "",
	}
	if d.portBase != nil && d.declared != nil && *d.portBase+max(*d.declared-1, 0) > 65535 {
		ev.errorf(body.PortBase.Range(), "Invalid port_base",
			"With instances = %d, the last instance's PORT would be %d, beyond 65535, the highest TCP port. Lower port_base or instances.",
			*d.declared, *d.portBase+*d.declared-1)
		d.portBase = nil
	}
	return d
}

// vars are the variables the block is evaluated with for instance i:
// instance with instances, port with port_base.
func (d instanceDecl) vars(i int) map[string]cty.Value {
	vars := map[string]cty.Value{}
	if d.instancesWritten {
		vars[instanceVar] = cty.NumberIntVal(int64(i))
	}
	if d.portWritten {
		vars[portVar] = cty.NumberIntVal(int64(valueOr(d.portBase, 0) + i))
	}
	return vars
}

// block is a module block as it stands before its instances are counted:
// its module (instance 0, or the one module), and what is needed to evaluate
// its other instances.
type block struct {
	raw      *rawModule
	decl     instanceDecl
	template Module
}

// moduleOf evaluates module block rm for instance i with the variables of
// decl. The evaluation of instance 0 records its diagnostics in ev; that of
// another instance returns them, for expand to report those instance 0 did
// not have (an index out of range for instance 3 only).
func (ev *evaluator) moduleOf(rm *rawModule, decl instanceDecl, i int, defaults settings, baseDir string) (Module, bool, hcl.Diagnostics) {
	quiet := ev
	if i > 0 {
		q := *ev
		q.diags, q.secrets = nil, slices.Clip(ev.secrets)
		quiet = &q
	}
	saved := quiet.ctx
	quiet.ctx = saved.NewChild()
	quiet.ctx.Variables = decl.vars(i)
	defer func() { quiet.ctx = saved }()
	before := len(quiet.diags)
	mod, ok := quiet.module(rm, defaults, baseDir)
	explainVariables(quiet.diags[before:])
	if decl.portBase != nil {
		mod.Env = withEnv(mod.Env, "PORT", strconv.Itoa(*decl.portBase+i))
	}
	if i > 0 {
		return mod, ok && !quiet.diags.HasErrors(), quiet.diags
	}
	return mod, ok, nil
}

// explainVariables adds to an unknown variable error about instance or port
// where they come from.
func explainVariables(diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Summary != "Unknown variable" {
			continue
		}
		switch {
		case strings.Contains(d.Detail, `"`+instanceVar+`"`):
			d.Detail += " instance is the number of the instance, in a module with instances = N: add instances to this module, or remove instance from it."
		case strings.Contains(d.Detail, `"`+portVar+`"`):
			d.Detail += " port is the instance's port, in a module with port_base = P (P + instance): add port_base to this module, or remove port from it."
		}
	}
}

// withEnv is env with key set to value, as a new map: a module's Env may be
// shared with the defaults'.
func withEnv(env map[string]string, key, value string) map[string]string {
	out := maps.Clone(env)
	if out == nil {
		out = map[string]string{}
	}
	out[key] = value
	return out
}

// expand turns the blocks into the manifest's modules, in block order, each
// block with instances into its instances (counts by block name); it returns
// the modules and the counts. counts holds the number in force of each block
// with instances, or scaled by svman scale.
func (ev *evaluator) expand(blocks []block, counts map[string]InstanceCount, defaults settings, baseDir string) []Module {
	mods := make([]Module, 0, len(blocks))
	for _, b := range blocks {
		c, ok := counts[b.template.Name]
		if !ok {
			mods = append(mods, b.template)
			continue
		}
		seen := diagKeys(ev.diags)
		for i := range c.Count {
			mod := b.template
			if i > 0 {
				var diags hcl.Diagnostics
				mod, ok, diags = ev.moduleOf(b.raw, b.decl, i, defaults, baseDir)
				ev.instanceDiags(diags, InstanceName(b.template.Name, i), seen)
				if !ok {
					continue
				}
			}
			mod.Name = InstanceName(b.template.Name, i)
			mod.InstanceOf, mod.Instance = b.template.Name, i
			mod.Env = withEnv(mod.Env, "SVMAN_INSTANCE", strconv.Itoa(i))
			mods = append(mods, mod)
		}
	}
	return mods
}

// diagKey tells two diagnostics of the same problem apart from others.
type diagKey struct {
	summary string
	subject hcl.Range
}

func diagKeys(diags hcl.Diagnostics) map[diagKey]bool {
	keys := make(map[diagKey]bool, len(diags))
	for _, d := range diags {
		keys[keyOf(d)] = true
	}
	return keys
}

func keyOf(d *hcl.Diagnostic) diagKey {
	k := diagKey{summary: d.Summary}
	if d.Subject != nil {
		k.subject = *d.Subject
	}
	return k
}

// instanceDiags reports the diagnostics of instance name that are not
// already reported (seen, which it extends): once per problem, at the
// first instance that has it, so that an error of 998 instances is one.
func (ev *evaluator) instanceDiags(diags hcl.Diagnostics, name string, seen map[diagKey]bool) {
	for _, d := range diags {
		if k := keyOf(d); !seen[k] {
			seen[k] = true
			d.Detail = fmt.Sprintf("In instance %s: %s", name, d.Detail)
			ev.diags = append(ev.diags, d)
		}
	}
}

// InstanceName is the name of instance i of the module block name.
func InstanceName(name string, i int) string { return name + "." + strconv.Itoa(i) }

// instanceLike matches the names reserved for instances: NAME.N.
var instanceLike = regexp.MustCompile(`^(.+)\.(0|[1-9][0-9]*)$`)

// checkInstanceNames reports a module block whose name is that of an
// instance of another block (an error), or looks like one (a warning: the
// name is reserved), and an instance whose name is too long for a directory.
// labels holds each block's label range by name.
func (ev *evaluator) checkInstanceNames(blocks []block, counts map[string]InstanceCount, labels map[string]hcl.Range) {
	for _, b := range blocks {
		name := b.template.Name
		if c, ok := counts[name]; ok && c.Count > 0 {
			if last := InstanceName(name, c.Count-1); len(last) > MaxNameLen {
				ev.errorf(labels[name], "Invalid module name",
					"The name of instance %s is %d bytes long; a name may have at most %d, since it becomes the name of a directory (status_dir/NAME). Shorten %s.", last[len(name):], len(last), MaxNameLen, name)
			}
		}
		sub := instanceLike.FindStringSubmatch(name)
		if sub == nil {
			continue
		}
		n, _ := strconv.Atoi(sub[2])
		if c, ok := counts[sub[1]]; ok && n < c.Count {
			ev.errorf(labels[name], "Module name taken by an instance",
				"%s is the name of instance %d of module %s, which has %d instances. Rename this module: names NAME.N are reserved for instances.", name, n, sub[1], c.Count)
			continue
		}
		ev.diags = append(ev.diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning, Subject: labels[name].Ptr(),
			Summary: "Name reserved for instances",
			Detail: fmt.Sprintf("Names NAME.N are those of instances (instances = N in module %q makes %s.0, %s.1, ...); svman status %s and svman ctl %s address them all. Rename this module, for example to %q.",
				sub[1], sub[1], sub[1], sub[1], sub[1], sub[1]+"-"+sub[2]),
		})
	}
}
