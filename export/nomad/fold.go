package nomad

import (
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// A block with instances = N is one group with count = N. svman evaluates
// the block once per instance, so an instance's command, env or dir may
// hold its number or its PORT; a Nomad group has one task for all its
// allocations, which tell themselves apart at run time by
// ${NOMAD_ALLOC_INDEX} (0 to N-1) and, with a dynamic port, by
// ${NOMAD_PORT_port}. fold finds those two in the instances' values.

// Nomad's runtime variables that stand for an instance's number and PORT.
const (
	allocIndex = "${NOMAD_ALLOC_INDEX}"
	allocPort  = "${NOMAD_PORT_" + ownPort + "}"
)

// difference is a setting in which instances differ in a way fold cannot
// express: the manifest's path and what the job calls it.
type difference struct{ path, what string }

// fold makes one task, named name, of the tasks of a block's instances
// (in instance order; ports are their PORTs when Nomad gives each
// allocation its own, else nil). A string of the command, args, work_dir
// or env that differs between instances becomes a template of Nomad's
// runtime variables when every instance's value is that template with its
// number and PORT; any other difference is returned, and the job keeps
// instance 0's value.
func fold(name string, tasks []*Task, ports []int) (*Task, []difference) {
	out := *tasks[0]
	out.Name = name
	out.Config.Args = slices.Clone(out.Config.Args)
	out.Env = maps.Clone(out.Env)
	var diffs []difference
	differ := func(path, what string) {
		if !slices.Contains(diffs, difference{path, what}) {
			diffs = append(diffs, difference{path, what})
		}
	}
	values := func(get func(*Task) string) []string {
		vals := make([]string, len(tasks))
		for i, t := range tasks {
			vals[i] = get(t)
		}
		return vals
	}
	fit := func(dst *string, path, what string, get func(*Task) string) {
		if s, ok := template(values(get), ports); ok {
			*dst = s
		} else {
			differ(path, what)
		}
	}
	fit(&out.Config.Command, "command", "command", func(t *Task) string { return t.Config.Command })
	fit(&out.Config.WorkDir, "dir", "working directory", func(t *Task) string { return t.Config.WorkDir })
	for j := range out.Config.Args {
		fit(&out.Config.Args[j], "command", "command", func(t *Task) string {
			if j < len(t.Config.Args) {
				return t.Config.Args[j]
			}
			return ""
		})
	}
	for _, k := range slices.Sorted(maps.Keys(out.Env)) {
		v := out.Env[k]
		fit(&v, "env", "environment", func(t *Task) string { return t.Env[k] })
		out.Env[k] = v
	}
	for _, t := range tasks[1:] {
		c := *t
		c.Name, c.Config, c.Env = out.Name, out.Config, out.Env
		switch {
		case len(t.Config.Args) != len(tasks[0].Config.Args):
			differ("command", "command")
		case !sameKeys(t.Env, tasks[0].Env):
			differ("env", "environment")
		case !reflect.DeepEqual(&c, &out):
			differ("instances", "settings")
		}
	}
	return &out, diffs
}

func sameKeys(a, b map[string]string) bool {
	return slices.Equal(slices.Sorted(maps.Keys(a)), slices.Sorted(maps.Keys(b)))
}

// template is the one string that gives vals[i] for every instance i when
// ${NOMAD_ALLOC_INDEX} is i and ${NOMAD_PORT_port} is ports[i] (ports nil:
// no such port), and whether there is one. The values are compared run by
// run of digits: a run that is the same in every value is kept, one that
// is each instance's number or PORT becomes its variable; any other
// difference has no template.
func template(vals []string, ports []int) (string, bool) {
	if !slices.ContainsFunc(vals, func(v string) bool { return v != vals[0] }) {
		return vals[0], true
	}
	runs := make([][]string, len(vals))
	for i, v := range vals {
		runs[i] = digitRuns(v)
		if len(runs[i]) != len(runs[0]) {
			return "", false
		}
	}
	var b strings.Builder
	for j := range runs[0] {
		col := make([]string, len(vals))
		for i := range vals {
			col[i] = runs[i][j]
		}
		switch {
		case !slices.ContainsFunc(col, func(s string) bool { return s != col[0] }):
			b.WriteString(col[0])
		case each(col, func(i int) int { return i }):
			b.WriteString(allocIndex)
		case ports != nil && each(col, func(i int) int { return ports[i] }):
			b.WriteString(allocPort)
		default:
			return "", false
		}
	}
	return b.String(), true
}

// each reports whether col[i] is the decimal number want(i), for every i.
func each(col []string, want func(int) int) bool {
	for i, s := range col {
		if s != strconv.Itoa(want(i)) {
			return false
		}
	}
	return true
}

// digitRuns cuts s into runs of ASCII digits and runs of other bytes,
// in order: "web-12.x" is "web-", "12", ".x".
func digitRuns(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		j := i + 1
		for j < len(s) && isDigit(s[j]) == isDigit(s[i]) {
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
