package systemd

import (
	"fmt"
	"slices"
	"strings"
)

// reread is a unit that runs svman on the manifest: svman alarm (the alarm
// template), svman probe (a module's ExecStartPost=), svman up or reload
// (Options.Self). svman reads the manifest again each time, in the
// environment systemd gives the unit.
type reread struct{ unit, verb string }

// envReread notes, once, at the manifest's first call of env(), that the
// units running svman on the manifest read it in systemd's environment, not
// in svman export's: env() may give them other values (most often none),
// and the manifest may then mean something else to them, or not load (an
// alarm to no one). Nothing is noted when no unit runs svman, or when the
// manifest calls no env().
func (x *exporter) envReread() {
	calls := x.m.Sites.EnvCalls()
	if len(calls) == 0 || len(x.rereads) == 0 {
		return
	}
	var units []string
	verbs := map[string][]string{}
	for _, r := range x.rereads {
		if verbs[r.unit] == nil {
			units = append(units, r.unit)
		}
		if v := "svman " + r.verb; !slices.Contains(verbs[r.unit], v) {
			verbs[r.unit] = append(verbs[r.unit], v)
		}
	}
	var named []string
	for _, u := range units {
		named = append(named, u+" ("+strings.Join(verbs[u], ", ")+")")
	}
	edit := "systemctl edit"
	if x.o.User {
		edit = "systemctl --user edit"
	}
	x.notes.LostAt(calls[0], "env() read again in systemd's environment",
		fmt.Sprintf("Each time these units run svman, it reads the manifest again, in the environment systemd gives the unit rather than in svman export's: %s. There env() gives what systemd sets, most often nothing (\"\", or its default), so the manifest may mean something else to them or not load at all: an alarm then goes to no one, a probe checks another address. Give those units the variables in a drop-in (%s UNIT: [Service] with Environment= lines, or EnvironmentFile= a file only its owner may read, for a secret; a module's unit passes them on to the module too), or have the manifest read the values with file() instead of env().",
			strings.Join(named, "; "), edit))
}
