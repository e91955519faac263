package nomad

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// jobHCL writes job as a jobspec, the HCL nomad job run parses, after the
// header comment: the same job as the JSON, block for block. hclwrite
// escapes a string's ${ as $${, so the parsed value is the string as the
// JSON has it, and Nomad's runtime variables (${NOMAD_ALLOC_INDEX}) are
// left for the client to fill in.
func jobHCL(job *Job, header string) []byte {
	f := hclwrite.NewEmptyFile()
	jb := f.Body().AppendNewBlock("job", []string{job.ID}).Body()
	if job.Name != job.ID {
		setString(jb, "name", job.Name)
	}
	if len(job.Datacenters) > 0 {
		setStrings(jb, "datacenters", job.Datacenters)
	}
	setString(jb, "type", job.Type)
	mb := jb.AppendNewBlock("meta", nil).Body()
	for _, k := range slices.Sorted(maps.Keys(job.Meta)) {
		setString(mb, k, job.Meta[k])
	}
	for _, g := range job.TaskGroups {
		jb.AppendNewline()
		groupHCL(jb.AppendNewBlock("group", []string{g.Name}).Body(), g)
	}
	return append([]byte(header+"\n"), hclwrite.Format(f.Bytes())...)
}

func groupHCL(b *hclwrite.Body, g *TaskGroup) {
	setInt(b, "count", *g.Count)
	for _, n := range g.Networks {
		nb := b.AppendNewBlock("network", nil).Body()
		for _, p := range n.ReservedPorts {
			setInt(nb.AppendNewBlock("port", []string{p.Label}).Body(), "static", p.Value)
		}
		for _, p := range n.DynamicPorts {
			nb.AppendNewBlock("port", []string{p.Label})
		}
	}
	if r := g.ReschedulePolicy; r != nil {
		rb := b.AppendNewBlock("reschedule", nil).Body()
		setInt(rb, "attempts", *r.Attempts)
		rb.SetAttributeValue("unlimited", cty.BoolVal(*r.Unlimited))
	}
	if d := g.EphemeralDisk; d != nil {
		setInt(b.AppendNewBlock("ephemeral_disk", nil).Body(), "size", d.SizeMB)
	}
	for _, t := range g.Tasks {
		b.AppendNewline()
		taskHCL(b.AppendNewBlock("task", []string{t.Name}).Body(), t)
	}
}

func taskHCL(b *hclwrite.Body, t *Task) {
	setString(b, "driver", t.Driver)
	if t.User != "" {
		setString(b, "user", t.User)
	}
	if l := t.Lifecycle; l != nil {
		lb := b.AppendNewBlock("lifecycle", nil).Body()
		setString(lb, "hook", l.Hook)
		lb.SetAttributeValue("sidecar", cty.BoolVal(l.Sidecar))
	}
	cb := b.AppendNewBlock("config", nil).Body()
	setString(cb, "command", t.Config.Command)
	if len(t.Config.Args) > 0 {
		setStrings(cb, "args", t.Config.Args)
	}
	if t.Config.WorkDir != "" {
		setString(cb, "work_dir", t.Config.WorkDir)
	}
	envHCL(b, t.Env)
	setString(b, "kill_signal", t.KillSignal)
	setDuration(b, "kill_timeout", t.KillTimeout)
	if r := t.RestartPolicy; r != nil {
		rb := b.AppendNewBlock("restart", nil).Body()
		setInt(rb, "attempts", *r.Attempts)
		setDuration(rb, "interval", r.Interval)
		setDuration(rb, "delay", r.Delay)
		setString(rb, "mode", r.Mode)
	}
	if l := t.LogConfig; l != nil {
		lb := b.AppendNewBlock("logs", nil).Body()
		setInt(lb, "max_files", l.MaxFiles)
		setInt(lb, "max_file_size", l.MaxFileSizeMB)
	}
	for _, a := range t.Artifacts {
		ab := b.AppendNewBlock("artifact", nil).Body()
		setString(ab, "source", a.GetterSource)
		setString(ab, "destination", a.RelativeDest)
	}
	for _, s := range t.Services {
		serviceHCL(b.AppendNewBlock("service", nil).Body(), s)
	}
}

// envHCL writes env as a block, or as a map when a name is not an HCL
// identifier (a dot in it), which Nomad takes as well.
func envHCL(b *hclwrite.Body, env map[string]string) {
	if len(env) == 0 {
		return
	}
	keys := slices.Sorted(maps.Keys(env))
	if slices.ContainsFunc(keys, func(k string) bool { return !hclsyntax.ValidIdentifier(k) }) {
		vals := map[string]cty.Value{}
		for _, k := range keys {
			vals[k] = cty.StringVal(env[k])
		}
		b.SetAttributeValue("env", cty.MapVal(vals))
		return
	}
	eb := b.AppendNewBlock("env", nil).Body()
	for _, k := range keys {
		setString(eb, k, env[k])
	}
}

func serviceHCL(b *hclwrite.Body, s *Service) {
	setString(b, "name", s.Name)
	setString(b, "provider", s.Provider)
	if s.PortLabel != "" {
		setString(b, "port", s.PortLabel)
	}
	if s.Address != "" {
		setString(b, "address", s.Address)
	}
	for _, c := range s.Checks {
		cb := b.AppendNewBlock("check", nil).Body()
		setString(cb, "name", c.Name)
		setString(cb, "type", c.Type)
		if c.Path != "" {
			setString(cb, "path", c.Path)
		}
		if c.Protocol != "" {
			setString(cb, "protocol", c.Protocol)
		}
		setString(cb, "port", c.PortLabel)
		setDuration(cb, "interval", c.Interval)
		setDuration(cb, "timeout", c.Timeout)
		if r := c.CheckRestart; r != nil {
			rb := cb.AppendNewBlock("check_restart", nil).Body()
			setInt(rb, "limit", r.Limit)
			if r.Grace != nil {
				setDuration(rb, "grace", *r.Grace)
			}
		}
	}
}

func setString(b *hclwrite.Body, name, v string) { b.SetAttributeValue(name, cty.StringVal(v)) }

func setInt(b *hclwrite.Body, name string, v int) {
	b.SetAttributeValue(name, cty.NumberIntVal(int64(v)))
}

func setStrings(b *hclwrite.Body, name string, vs []string) {
	vals := make([]cty.Value, len(vs))
	for i, v := range vs {
		vals[i] = cty.StringVal(v)
	}
	b.SetAttributeValue(name, cty.ListVal(vals))
}

// setDuration writes ns as Nomad's duration string, "1m" rather than Go's
// "1m0s".
func setDuration(b *hclwrite.Body, name string, ns int64) {
	setString(b, name, durationText(time.Duration(ns)))
}

func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
