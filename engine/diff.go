package engine

import (
	"fmt"
	"reflect"
	"strings"

	"svman/manifest"
)

// Plan is what applying a manifest does to the running set, module by module.
type Plan struct {
	Add     []string // new blocks: supervise and start
	Remove  []string // gone blocks: stop and release
	Restart []string // changed in what the process is: stop, then start anew
	Update  []string // changed only in policy: applied in place, no restart
	Keep    []string // unchanged: untouched
}

// Diff compares the running modules with the desired ones. It is pure: the same
// inputs give the same plan, in the desired modules' order (removals in the old
// order).
func Diff(running, desired []manifest.Module) Plan {
	old := make(map[string]manifest.Module, len(running))
	for _, m := range running {
		old[m.Name] = m
	}
	var p Plan
	seen := make(map[string]bool, len(desired))
	for _, m := range desired {
		seen[m.Name] = true
		o, ok := old[m.Name]
		switch {
		case !ok:
			p.Add = append(p.Add, m.Name)
		case !sameProcess(o, m):
			p.Restart = append(p.Restart, m.Name)
		case !reflect.DeepEqual(o, m):
			p.Update = append(p.Update, m.Name)
		default:
			p.Keep = append(p.Keep, m.Name)
		}
	}
	for _, m := range running {
		if !seen[m.Name] {
			p.Remove = append(p.Remove, m.Name)
		}
	}
	return p
}

// sameProcess reports whether two versions of a module would run the same process
// the same way: everything but the restart and alarm policy and the stop timeout,
// which a running supervisor can adopt without a restart.
func sameProcess(a, b manifest.Module) bool {
	a.Restart, b.Restart = manifest.Restart{}, manifest.Restart{}
	a.Alarm, b.Alarm = manifest.Alarm{}, manifest.Alarm{}
	a.StopTimeout, b.StopTimeout = 0, 0
	return reflect.DeepEqual(a, b)
}

// Changes reports whether the plan does anything at all.
func (p Plan) Changes() bool {
	return len(p.Add)+len(p.Remove)+len(p.Restart)+len(p.Update) > 0
}

// String is the plan on one line: "+2 -1 ~1 (3 unchanged): +api +db -old ~web".
func (p Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "+%d -%d ~%d (%d unchanged)", len(p.Add), len(p.Remove), len(p.Restart)+len(p.Update), len(p.Keep))
	sep := ": "
	list := func(prefix string, names []string, suffix string) {
		for _, n := range names {
			b.WriteString(sep + prefix + n + suffix)
			sep = " "
		}
	}
	list("+", p.Add, "")
	list("-", p.Remove, "")
	list("~", p.Restart, "")
	list("~", p.Update, " (in place)")
	return b.String()
}
