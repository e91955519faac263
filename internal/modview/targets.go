package modview

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"svman/manifest"
)

// Target is one module's status directory, as status, ctl and the control API
// address it.
type Target struct {
	Name string
	Dir  string
}

// ManifestTargets is the target of every module of m, in its order.
func ManifestTargets(m *manifest.Manifest) []Target {
	out := make([]Target, len(m.Modules))
	for i, mod := range m.Modules {
		out[i] = Target{mod.Name, filepath.Join(m.StatusDir, mod.Name)}
	}
	return out
}

// Pick returns the targets of all named by names, in their order, or all when
// names is empty. A name may be that of a module block with instances (web
// for web.0, web.1, ...: every instance of it in all, whatever blocks says,
// so that status directories name them too); blocks, when known, tells such
// a block without instances from an unknown name. The error says which name
// is unknown, with the known ones.
func Pick(all []Target, names []string, blocks map[string]manifest.InstanceCount) ([]Target, error) {
	if len(names) == 0 {
		return all, nil
	}
	byName := make(map[string]Target, len(all))
	known := make([]string, len(all))
	for i, t := range all {
		byName[t.Name] = t
		known[i] = t.Name
	}
	out := make([]Target, 0, len(names))
	for _, n := range names {
		if t, ok := byName[n]; ok {
			out = append(out, t)
			continue
		}
		instances := instancesIn(all, n)
		_, block := blocks[n]
		switch {
		case len(instances) > 0:
			out = append(out, instances...)
		case block:
			return nil, &UnknownError{Name: n, msg: fmt.Sprintf("module %s has no instances in force (instances = 0): 'svman scale %s=N' starts some", n, n)}
		default:
			return nil, &UnknownError{Name: n, msg: fmt.Sprintf("no module named %q (modules: %s)", n, strings.Join(known, ", "))}
		}
	}
	return out, nil
}

// UnknownError is Pick's error: Name addresses no module.
type UnknownError struct {
	Name string
	msg  string
}

func (e *UnknownError) Error() string { return e.msg }

// instancesIn is the targets of all that are instances of the module block
// name (name.N), by instance number.
func instancesIn(all []Target, name string) []Target {
	var out []Target
	for _, t := range all {
		if _, ok := InstanceNumber(t.Name, name); ok {
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, _ := InstanceNumber(out[i].Name, name)
		b, _ := InstanceNumber(out[j].Name, name)
		return a < b
	})
	return out
}

// InstanceNumber is N when module is instance N of block (block.N).
func InstanceNumber(module, block string) (int, bool) {
	rest, ok := strings.CutPrefix(module, block+".")
	if !ok || rest == "" || (len(rest) > 1 && rest[0] == '0') {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0 && strconv.Itoa(n) == rest
}
