package manifest

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// This file decodes depends_on and checks the dependency graph once every
// module is known.

const howToWriteDependsOn = `Write depends_on as a map from module name to condition, such as { db = "ready", migrate = "completed" }; the conditions are "started", "ready", "completed" and "healthy".`

// conditions are the values of depends_on, in the order messages list them.
var conditions = []string{string(CondStarted), string(CondReady), string(CondCompleted), string(CondHealthy)}

// dependsOn evaluates a module's depends_on: a map from module name to
// condition. The names are checked later, against the whole manifest (see
// checkGraph); nil when unset or empty.
func (ev *evaluator) dependsOn(expr hcl.Expression) map[string]Condition {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	if t := v.Type(); t.IsListType() || t.IsTupleType() || t.IsSetType() {
		ev.errorf(expr.Range(), "Invalid depends_on",
			"depends_on must say what each dependency must be before this module starts, not only name it. %s Use \"started\" to wait only for the start.", howToWriteDependsOn)
		return nil
	}
	m, ok := ev.strMap("depends_on", expr)
	if !ok {
		return nil
	}
	out := make(map[string]Condition, len(m))
	for name, c := range m {
		rng := ev.mapElemRange(expr, name, false)
		if ev.oneOf(rng, c, "condition", "a condition", conditions) {
			out[name] = Condition(c)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// checkGraph checks every module's depends_on against the manifest: names
// that are no module (or the module itself), dependencies that would wait
// forever (on a module that never starts by itself, or that never completes),
// and cycles. declared holds every module name written, valid or not, so that
// a module dropped for another error is not also called unknown; exprs holds
// each module's depends_on expression, to point at what to edit.
func (ev *evaluator) checkGraph(mods []Module, declared []string, exprs map[string]hcl.Expression) {
	byName := make(map[string]*Module, len(mods))
	for i := range mods {
		byName[mods[i].Name] = &mods[i]
	}
	order := manifestOrder(mods)
	for _, m := range mods {
		expr := exprs[m.Name]
		for _, dep := range sortedDeps(m.DependsOn, order) {
			at := ev.mapElemRange(expr, dep, true)
			d, known := byName[dep]
			switch {
			case dep == m.Name:
				ev.errorf(at, "Module depends on itself",
					"%s names %s itself in its depends_on, so it would wait for itself forever. Remove %s from it.", m.Name, m.Name, ev.quote(at, dep))
			case !known && !slices.Contains(declared, dep):
				ev.unknownDependency(at, m.Name, dep, declared)
			case !known: // dropped for an error of its own, already reported
			default:
				ev.checkDependency(&m, d, at, ev.mapElemRange(expr, dep, false))
			}
		}
	}
	for _, c := range cycles(mods) {
		if len(c) < 3 { // a module naming itself, reported above
			continue
		}
		ev.errorf(ev.mapElemRange(exprs[c[0]], c[1], true), "Dependency cycle",
			"%s: %s, so none of them could ever start. Remove one of these dependencies.", strings.Join(c, " -> "), cycleText(c))
	}
}

// unknownDependency reports a depends_on name that is no module.
func (ev *evaluator) unknownDependency(at hcl.Range, from, dep string, declared []string) {
	others := slices.DeleteFunc(slices.Clone(declared), func(n string) bool { return n == from })
	hint := "Add a module block of that name, or remove it from depends_on."
	if s := Suggest(dep, others); s != "" && !ev.isSensitive(at) {
		hint = fmt.Sprintf("Did you mean %q?", s)
	} else if len(others) > 0 && len(others) <= 8 {
		hint = "The other modules are " + joinList(others, "and") + ". " + hint
	}
	ev.errorf(at, "Unknown module in depends_on", "%s depends on %s, but there is no module of that name. %s", from, ev.quote(at, dep), hint)
}

// checkDependency reports a dependency of m on d that would wait forever: on
// a module that never starts by itself, or on the completion of one that is
// started again after every exit. at is the name in depends_on, condAt its
// condition.
func (ev *evaluator) checkDependency(m, d *Module, at, condAt hcl.Range) {
	if !d.Autostart {
		diag := diagErr(at, "Dependency on a module that does not start",
			fmt.Sprintf("%s depends on %s, which has autostart = false: %s would wait until someone runs svman ctl %s up. Remove autostart = false from %s, or the dependency.",
				m.Name, d.Name, m.Name, d.Name, d.Name))
		if !m.Autostart {
			diag.Severity = hcl.DiagWarning
			diag.Detail = fmt.Sprintf("%s depends on %s, and neither starts by itself: when %s is started, it waits until %s is started too (svman ctl %s up).",
				m.Name, d.Name, m.Name, d.Name, d.Name)
		}
		ev.diags = append(ev.diags, diag)
	}
	if m.DependsOn[d.Name] == CondCompleted && d.Restart.Policy == RestartAlways {
		ev.errorf(condAt, "Dependency that never completes",
			"%s waits for %s to complete, but %s has restart policy \"always\": it is started again after every exit, so it never completes. Give %s restart { policy = \"on-failure\" } (or \"never\"), or depend on \"ready\" or \"started\" instead.",
			m.Name, d.Name, d.Name, d.Name)
	}
}

// sortedDeps is the names in deps, those of modules in manifest order (order
// maps a module name to its first index, see manifestOrder), then the others
// sorted, so that diagnostics come in the same order every time.
func sortedDeps(deps map[string]Condition, order map[string]int) []string {
	if len(deps) == 0 {
		return nil
	}
	out := slices.Collect(maps.Keys(deps))
	slices.SortFunc(out, func(a, b string) int {
		ia, aKnown := order[a]
		ib, bKnown := order[b]
		switch {
		case aKnown && bKnown:
			return cmp.Compare(ia, ib)
		case aKnown:
			return -1
		case bKnown:
			return 1
		}
		return strings.Compare(a, b)
	})
	return out
}

// manifestOrder maps each module name of mods to the index of its first
// module, for sortedDeps: one map for the whole list, so that ordering every
// module's dependencies stays linear in the number of modules.
func manifestOrder(mods []Module) map[string]int {
	order := make(map[string]int, len(mods))
	for i := range mods {
		if _, ok := order[mods[i].Name]; !ok {
			order[mods[i].Name] = i
		}
	}
	return order
}

// cycleText says a cycle path (a, b, c, a) in words: "a depends on b, b on c,
// and c on a".
func cycleText(c []string) string {
	parts := []string{c[0] + " depends on " + c[1]}
	for i := 1; i+1 < len(c); i++ {
		parts = append(parts, c[i]+" on "+c[i+1])
	}
	if len(parts) == 2 {
		return parts[0] + " and " + parts[1]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + ", and " + parts[len(parts)-1]
}
