package nomad

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"svman/export"
	"svman/manifest"
)

// exporter holds what one export reads and what it gathers on the way.
type exporter struct {
	m     *manifest.Manifest
	o     Options // with Driver set
	notes *export.Notes
	// quiet takes the notes of a block's instances after the first, which
	// say what the first's do (their differences are noted by fold).
	quiet *export.Notes
	// oneShot holds the blocks some module depends on as completed: they
	// run as prestart tasks of their dependents' groups, not as groups.
	oneShot map[string]bool
	// tasks are the modules' tasks, by module name, as built once.
	tasks  map[string]*Task
	onDisk []onDisk
}

// block is a module block: its module, or its instances in order.
type block struct {
	name string
	mods []manifest.Module
}

// blocks are m's module blocks in manifest order.
func blocks(m *manifest.Manifest) []block {
	var out []block
	for _, mod := range m.Modules {
		name := mod.Block()
		if len(out) > 0 && mod.InstanceOf != "" && out[len(out)-1].name == name {
			out[len(out)-1].mods = append(out[len(out)-1].mods, mod)
			continue
		}
		out = append(out, block{name, []manifest.Module{mod}})
	}
	return out
}

// job is the whole job: a group per module block that is not a one-shot,
// in manifest order.
func (e *exporter) job() *Job {
	e.oneShot, e.tasks = map[string]bool{}, map[string]*Task{}
	for _, mod := range e.m.Modules {
		for dep, cond := range mod.DependsOn {
			if cond == manifest.CondCompleted {
				e.oneShot[dep] = true
			}
		}
	}
	bs := blocks(e.m)
	plans := map[string]portPlan{}
	for _, b := range bs {
		pp := e.portPlan(b)
		plans[b.name] = pp
		for i, mod := range b.mods {
			n := e.notes
			if i > 0 {
				n = e.quiet
			}
			e.tasks[mod.Name] = e.taskOf(mod, pp.of(mod), !e.oneShot[b.name], n)
			dependencyNotes(mod, e.oneShot[b.name], n)
		}
	}
	job := &Job{ID: e.o.Project, Name: e.o.Project, Type: "service", Datacenters: e.o.Datacenters,
		Meta: map[string]string{MetaManifest: e.m.Path}}
	runs := e.oneShotRuns(bs)
	for _, b := range bs {
		if !e.oneShot[b.name] {
			job.TaskGroups = append(job.TaskGroups, e.group(b, plans[b.name], runs))
		}
	}
	e.diskNote()
	return job
}

// portPlan is the block's PORT: port_base's, dynamic when the block has
// instances (each allocation of the group gets its own port), static
// otherwise.
func (e *exporter) portPlan(b block) portPlan {
	first := b.mods[0]
	if !e.notes.Written(first, "port_base") {
		return portPlan{}
	}
	p, err := strconv.Atoi(first.Env["PORT"])
	if err != nil {
		return portPlan{}
	}
	pp := portPlan{own: p, dynamic: len(b.mods) > 1} // own: instance 0's
	if pp.dynamic {
		e.notes.Lost(first, "port_base", "Instances get dynamic ports", fmt.Sprintf(
			"Nomad gives each allocation of group %s a port of its own from its dynamic range, in PORT (${NOMAD_PORT_%s}), not %d + instance; the service registers it for discovery. For fixed ports, write one module per port.", b.name, ownPort, p))
	}
	return pp
}

// group is block b's group: its task (the instances' folded into one, with
// count = the number of instances), after the prestart tasks of what it
// depends on as completed.
func (e *exporter) group(b block, pp portPlan, runs map[string]*runs) *TaskGroup {
	first := b.mods[0]
	count := len(b.mods)
	if !first.Autostart {
		count = 0 // down until nomad job scale, as svman ctl up
	}
	g := &TaskGroup{Name: b.name, Count: new(count)}
	for _, dep := range e.prestart(first) {
		for _, mod := range e.m.Modules {
			if mod.Block() == dep {
				t := *e.tasks[mod.Name]
				t.Lifecycle, t.Services = &TaskLifecycle{Hook: "prestart"}, nil
				g.Tasks = append(g.Tasks, &t)
			}
		}
		if r := runs[dep]; r != nil && r.total > 1 {
			e.notes.Lost(first, "depends_on", "One-shot runs in every allocation", fmt.Sprintf(
				"%s runs as a prestart task in each allocation of the groups that wait for it to complete, %d times in all (%s), where svman runs it once: it must be safe to run again, and at the same time.", dep, r.total, strings.Join(r.where, ", ")))
		}
	}
	tasks := make([]*Task, len(b.mods))
	var ports []int
	for i, mod := range b.mods {
		tasks[i] = e.tasks[mod.Name]
		if pp.dynamic {
			p, _ := strconv.Atoi(mod.Env["PORT"])
			ports = append(ports, p)
		}
	}
	main, diffs := fold(b.name, tasks, ports)
	for _, d := range diffs {
		e.notes.Lost(first, d.path, "Instances differ beyond their number", fmt.Sprintf(
			"Nomad runs every allocation of group %s with the same %s, where only ${NOMAD_ALLOC_INDEX} (the instance) and ${NOMAD_PORT_%s} (its PORT) may differ: the job has instance 0's. Write one module per instance for these.", b.name, d.what, ownPort))
	}
	g.Tasks = append(g.Tasks, main)
	g.Networks = networkOf(main.Services, pp)
	if len(b.mods) > 1 {
		for _, r := range g.Networks {
			for _, p := range r.ReservedPorts {
				e.notes.Lost(first, checkPath(first, p.Value), "Static port in every allocation", fmt.Sprintf(
					"Every allocation of group %s reserves port %d, so Nomad places at most one on a client, where svman runs %d instances on one machine.", b.name, p.Value, len(b.mods)))
			}
		}
	}
	disk := 0
	for _, t := range g.Tasks {
		if t.RestartPolicy.Mode == modeFail {
			g.ReschedulePolicy = &ReschedulePolicy{Attempts: new(0), Unlimited: new(false)}
		}
		disk += 2 * t.LogConfig.MaxFiles * t.LogConfig.MaxFileSizeMB // stdout and stderr
	}
	g.EphemeralDisk = &EphemeralDisk{SizeMB: max(disk+1, defaultDiskMB)}
	return g
}

// defaultDiskMB is Nomad's ephemeral disk when a group sets none.
const defaultDiskMB = 300

// checkPath is the field of mod whose check connects to port.
func checkPath(mod manifest.Module, port int) string {
	for _, c := range []struct {
		path string
		p    *manifest.Probe
	}{{"ready", readyProbe(mod)}, {"health", healthProbe(mod)}} {
		if t, ok := targetOf(*c.p); ok && t.port == port {
			if c.p.HTTP != "" {
				return c.path + ".http"
			}
			return c.path + ".tcp"
		}
	}
	return "port_base"
}

func readyProbe(mod manifest.Module) *manifest.Probe {
	if mod.Ready == nil {
		return &manifest.Probe{}
	}
	return &mod.Ready.Probe
}

func healthProbe(mod manifest.Module) *manifest.Probe {
	if mod.Health == nil {
		return &manifest.Probe{}
	}
	return &mod.Health.Probe
}

// prestart are the blocks mod waits for to complete, and the ones those
// wait for, in manifest order: its group's prestart tasks.
func (e *exporter) prestart(mod manifest.Module) []string {
	need := map[string]bool{}
	var walk func(deps map[string]manifest.Condition)
	walk = func(deps map[string]manifest.Condition) {
		for dep, cond := range deps {
			if cond != manifest.CondCompleted || need[dep] {
				continue
			}
			need[dep] = true
			for _, d := range e.m.Modules {
				if d.Block() == dep {
					walk(d.DependsOn)
				}
			}
		}
	}
	walk(mod.DependsOn)
	var out []string
	for _, b := range blocks(e.m) {
		if need[b.name] {
			out = append(out, b.name)
		}
	}
	return out
}

// oneShotRuns says, for each one-shot, how many allocations run it and
// in which groups.
func (e *exporter) oneShotRuns(bs []block) map[string]*runs {
	out := map[string]*runs{}
	for _, b := range bs {
		if e.oneShot[b.name] {
			continue
		}
		for _, dep := range e.prestart(b.mods[0]) {
			r := out[dep]
			if r == nil {
				r = &runs{}
				out[dep] = r
			}
			c := len(b.mods)
			r.total, r.where = r.total+c, append(r.where, fmt.Sprintf("%s: %d", b.name, c))
		}
	}
	return out
}

// runs are the allocations that run a one-shot.
type runs struct {
	total int
	where []string // "group: count"
}

// dependencyNotes notes the dependencies of mod Nomad does not order:
// Nomad starts a job's groups together, and orders only the tasks of one
// group; oneShot is true when mod itself runs as a prestart task, which
// starts with the other prestart tasks of its group.
func dependencyNotes(mod manifest.Module, oneShot bool, n *export.Notes) {
	name := mod.Block()
	for _, dep := range slices.Sorted(maps.Keys(mod.DependsOn)) {
		cond := mod.DependsOn[dep]
		switch {
		case cond != manifest.CondCompleted:
			n.Lost(mod, "depends_on", "Dependency not waited for", fmt.Sprintf(
				"Nomad starts the groups of a job together: %s does not wait for %s to be %s. Have %s retry until %s answers, or wait for it in a prestart task of its group (one that polls %s's service).", name, dep, cond, name, dep, dep))
		case oneShot:
			n.Lost(mod, "depends_on", "Prestart tasks start together", fmt.Sprintf(
				"%s and %s both run as prestart tasks, which Nomad starts together: %s does not wait for %s to complete.", name, dep, name, dep))
		}
	}
	if mod.OnDependencyRestart == manifest.DepRestart && n.Written(mod, "on_dependency_restart") {
		n.Lost(mod, "on_dependency_restart", "Dependents not restarted", fmt.Sprintf("Nomad does not stop or restart %s with its dependencies.", name))
	}
}
