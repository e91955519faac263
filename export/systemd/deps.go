package systemd

import (
	"maps"
	"slices"

	"svman/manifest"
)

// dependencies writes depends_on and on_dependency_restart. Every
// dependency orders the start (After=, which waits until systemd's start of
// the dependency is over: for a module with a ready check, until it is
// ready; for a one-shot, until it has exited); the requirement depends on
// what the module does when a dependency stops or restarts:
//
//   - on_dependency_restart = "restart": BindsTo=, which stops this unit
//     when the dependency is stopped, restarts it when the dependency is
//     restarted (by hand or by Restart=), and stops it when the dependency
//     stops on its own or fails, as svman does. (PartOf= would miss the last
//     case: it passes on only the stops and restarts systemd is asked for.)
//   - "ignore", the default, with started, ready or healthy: Wants=, which
//     starts the dependency and passes on nothing. Requires= would restart
//     this unit whenever the dependency is restarted, even by Restart=.
//   - "ignore" with completed: Requires=, so that a one-shot that failed
//     (a migration) holds this unit back, as svman's "did not complete"
//     does; it also passes on a stop or restart of the one-shot asked for.
func (x *exporter) dependencies(u *unit, mod manifest.Module) {
	var after, wants, requires, bindsTo []string
	for _, name := range slices.Sorted(maps.Keys(mod.DependsOn)) {
		cond := mod.DependsOn[name]
		for _, d := range x.modulesNamed(name) {
			unit := serviceName(d.Name)
			after = append(after, unit)
			switch {
			case mod.OnDependencyRestart == manifest.DepRestart:
				bindsTo = append(bindsTo, unit)
			case cond == manifest.CondCompleted:
				requires = append(requires, unit)
			default:
				wants = append(wants, unit)
			}
			if cond == manifest.CondStarted && x.slowStart(d) {
				x.notes.Lost(mod, "depends_on", "started waits for more",
					"After= waits until systemd's start of "+name+" is over, which, as it has a ready check or runs as a one-shot, is when it is ready or has exited, not as soon as it has started: this module starts later than under svman.")
			}
		}
		if cond == manifest.CondHealthy {
			x.notes.Lost(mod, "depends_on", "healthy is ready",
				"systemd has no health check: After= waits until "+name+" is ready, not until a health check of it has passed, as depends_on = \"ready\" would.")
		}
	}
	if len(wants) > 0 {
		// One note for the attribute, whatever it names: said once for
		// every instance of the block.
		x.notes.Lost(mod, "depends_on", "A failed dependency does not hold it back",
			"Wants= starts the dependencies with this module, and After= waits until their start is over, but a dependency whose start fails (its program cannot run, its ready check or timeout fails) does not hold this module back: systemd starts it all the same, where svman keeps it waiting until the dependency is started, ready or healthy. on_dependency_restart = \"restart\" (BindsTo=) holds it back, but also stops it whenever a dependency stops.")
	}
	for _, l := range []struct {
		key   string
		units []string
	}{{"After", after}, {"Wants", wants}, {"Requires", requires}, {"BindsTo", bindsTo}} {
		seen := map[string]bool{}
		for _, n := range l.units {
			if !seen[n] {
				seen[n] = true
				u.unitSec.set(l.key, n)
			}
		}
	}
}
