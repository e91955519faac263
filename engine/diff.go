package engine

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
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
	// Changed names, for every restarted or updated module, the settings that differ.
	Changed map[string][]string
	// EnvKeys names, for every module whose env differs, the variables added,
	// removed or changed, sorted; never their values. Detail shows them.
	EnvKeys map[string][]string
	// Pending are the removals an edit held back (Engine.ApplyEdit): these modules
	// run on, unchanged, until a later Apply removes them.
	Pending []string
	// Cancelled are modules whose removal was pending and whose blocks are back.
	Cancelled []string
	// Kept says, for each module added again that keeps the decision its status
	// directory records, what it is: "down by d" or "failed" (in Add), or
	// "released" (in Keep: it stays unsupervised).
	Kept map[string]string
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
		if !ok {
			p.Add = append(p.Add, m.Name)
			continue
		}
		changed := Changes(o, m)
		switch {
		case len(changed) == 0:
			p.Keep = append(p.Keep, m.Name)
			continue
		case restartNeeded(changed):
			p.Restart = append(p.Restart, m.Name)
		default:
			p.Update = append(p.Update, m.Name)
		}
		if p.Changed == nil {
			p.Changed = make(map[string][]string)
		}
		p.Changed[m.Name] = changed
		if keys := ChangedKeys(o.Env, m.Env); len(keys) > 0 {
			if p.EnvKeys == nil {
				p.EnvKeys = make(map[string][]string)
			}
			p.EnvKeys[m.Name] = keys
		}
	}
	for _, m := range running {
		if !seen[m.Name] {
			p.Remove = append(p.Remove, m.Name)
		}
	}
	return p
}

// inPlace are the settings a running supervisor adopts without a restart: they
// say what to do at the next exit or stop, when the module may start, or how
// svman checks it, not how the process runs. The parts of a ready block that
// the child is given (notify's socket and watchdog, the notification fd) are
// not among them: Changes names them apart.
var inPlace = map[string]bool{
	"restart": true, "alarm": true, "stop_timeout": true, "on_exit": true, "log": true,
	"depends_on": true, "on_dependency_restart": true, "ready": true, "health": true,
}

func restartNeeded(changed []string) bool {
	for _, c := range changed {
		if !inPlace[c] {
			return true
		}
	}
	return false
}

// Changes lists, by manifest name, the settings in which two versions of a module
// differ, in manifest order.
func Changes(a, b manifest.Module) []string {
	var out []string
	add := func(name string, same bool) {
		if !same {
			out = append(out, name)
		}
	}
	add("command", a.Shell == b.Shell && slices.Equal(a.Command, b.Command))
	add("dir", a.Dir == b.Dir)
	add("user", reflect.DeepEqual(a.User, b.User))
	add("group", reflect.DeepEqual(a.Group, b.Group))
	add("umask", reflect.DeepEqual(a.Umask, b.Umask))
	add("env", maps.Equal(a.Env, b.Env) && a.EnvClear == b.EnvClear)
	add("autostart", a.Autostart == b.Autostart)
	add("stop_signal", a.StopSignal == b.StopSignal)
	add("stop_timeout", a.StopTimeout == b.StopTimeout)
	add("restart", reflect.DeepEqual(a.Restart, b.Restart))
	add("alarm", reflect.DeepEqual(a.Alarm, b.Alarm))
	add("on_exit", slices.Equal(a.OnExit, b.OnExit))
	add("limits", reflect.DeepEqual(a.Limits, b.Limits))
	add("log", a.Log == b.Log)
	add("depends_on", maps.Equal(a.DependsOn, b.DependsOn))
	add("on_dependency_restart", a.OnDependencyRestart == b.OnDependencyRestart)
	add("ready", reflect.DeepEqual(probing(a.Ready), probing(b.Ready)))
	an, bn := given(a.Ready), given(b.Ready)
	add("notify", an.Notify == bn.Notify && an.Watchdog == bn.Watchdog)
	add("notification_fd", an.NotificationFD == bn.NotificationFD)
	add("health", reflect.DeepEqual(a.Health, b.Health))
	// A field added to Module but not above must not go unnoticed: it restarts.
	if out == nil && !reflect.DeepEqual(a, b) {
		out = append(out, "settings")
	}
	return out
}

// given is what a ready block gives the child itself: a NOTIFY_SOCKET (and
// WATCHDOG_USEC) or a notification fd; zero for a module without one.
func given(r *manifest.Ready) manifest.Ready {
	if r == nil {
		return manifest.Ready{}
	}
	return manifest.Ready{Notify: r.Notify, Watchdog: r.Watchdog, NotificationFD: r.NotificationFD}
}

// probing is the rest of a ready block, what svman checks and when: r without
// what given returns.
func probing(r *manifest.Ready) *manifest.Ready {
	if r == nil {
		return nil
	}
	p := *r
	p.Notify, p.Watchdog, p.NotificationFD = false, 0, 0
	return &p
}

// ChangedKeys lists, sorted, the keys that a and b do not share with the same
// value: the environment variables a change of env adds, removes or changes.
// It compares values only for equality, so it works as well on the hashes
// statusfs.Recorded gives.
func ChangedKeys(a, b map[string]string) []string {
	var keys []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			keys = append(keys, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// Detail is Changed[name] with env naming the variables that changed, as in
// "env (DATABASE_URL, PORT)", for printing.
func (p Plan) Detail(name string) []string {
	ch := p.Changed[name]
	keys := p.EnvKeys[name]
	if len(keys) == 0 {
		return ch
	}
	out := slices.Clone(ch)
	if i := slices.Index(out, "env"); i >= 0 {
		out[i] = "env (" + strings.Join(keys, ", ") + ")"
	}
	return out
}

// Changes reports whether the plan does anything at all.
func (p Plan) Changes() bool {
	return len(p.Add)+len(p.Remove)+len(p.Restart)+len(p.Update) > 0
}

// String is the plan on one line, each changed module with what changed in it
// (Detail): "+2 -1 ~2 (2 unchanged): +api +db (kept: down by d) -old ~web (env
// (PORT)) ~cron (in place: restart); removal of jobs, mail pending until the
// file is quiet".
func (p Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "+%d -%d ~%d (%d unchanged)", len(p.Add), len(p.Remove), len(p.Restart)+len(p.Update), len(p.Keep))
	sep := ": "
	list := func(prefix string, names []string, why string) {
		for _, n := range names {
			b.WriteString(sep + prefix + n)
			sep = " "
			if ch := p.Detail(n); len(ch) > 0 {
				b.WriteString(" (" + why + strings.Join(ch, ", ") + ")")
			}
			if k := p.Kept[n]; k != "" {
				b.WriteString(" (kept: " + k + ")")
			}
		}
	}
	list("+", p.Add, "")
	list("-", p.Remove, "")
	list("~", p.Restart, "")
	list("~", p.Update, "in place: ")
	for _, n := range p.Keep {
		if k := p.Kept[n]; k != "" {
			b.WriteString("; " + n + " stays " + k)
		}
	}
	if len(p.Pending) > 0 {
		b.WriteString("; removal of " + strings.Join(p.Pending, ", ") + " pending until the file is quiet")
	}
	if len(p.Cancelled) > 0 {
		b.WriteString("; removal of " + strings.Join(p.Cancelled, ", ") + " cancelled: the block is back")
	}
	return b.String()
}
