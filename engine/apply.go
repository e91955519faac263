package engine

import (
	"fmt"

	"svman/internal/proc"
	"svman/logfiles"
	"svman/manifest"
	"svman/statusfs"
)

// apply applies m on the Run goroutine. If a module to add has the name of one
// a removal is still stopping, it applies nothing and returns that one's
// supervisor (stopping) for the caller to wait for: its directory is not free.
func (e *Engine) apply(m *manifest.Manifest, o ApplyOptions) (_ Plan, added, stopping []*supervisor, _ error) {
	holdRemovals := o.HoldRemovals
	if e.closing {
		return Plan{}, nil, nil, ErrStopped
	}
	if e.current != nil && e.current.StatusDir != m.StatusDir {
		return Plan{}, nil, nil, fmt.Errorf("status_dir changed from %s to %s: svman must be restarted to move its status directories; keeping the running configuration", e.current.StatusDir, m.StatusDir)
	}
	e.prune()
	if err := proc.CheckFileLimit(len(m.Modules)); err != nil {
		if e.current != nil {
			err = fmt.Errorf("%w; keeping the running configuration", err)
		}
		return Plan{}, nil, nil, err
	}
	// The log files share what the limit leaves, before any module starts.
	logfiles.SetMaxOpen(proc.LogFileSlots(len(m.Modules)))
	desired := e.skipReleased(m.Modules, !holdRemovals)
	running := e.modules()
	plan := Diff(running, desired)
	for _, name := range plan.Add {
		if s, ok := e.draining[name]; ok {
			stopping = append(stopping, s)
		}
	}
	if len(stopping) > 0 {
		return Plan{}, nil, stopping, nil
	}
	inForce := desired
	plan.Cancelled = backFromPending(e.pending, desired)
	e.pending = nil
	if holdRemovals && len(plan.Remove) > 0 {
		inForce, e.pending = holdBack(&plan, running, desired)
	}
	// Supervisors point at the modules of m, which the engine keeps (current):
	// no copy per module.
	byName := make(map[string]*manifest.Module, len(m.Modules))
	for i := range m.Modules {
		byName[m.Modules[i].Name] = &m.Modules[i]
	}
	if e.current != nil && len(plan.Add) > 0 {
		e.keepReleased(&plan, m.StatusDir, byName)
	}

	dirs, err := e.openDirs(m.StatusDir, plan.Add, byName, e.current == nil)
	if err != nil && e.current == nil {
		return Plan{}, nil, nil, err
	}
	readded := e.current != nil // not svman's start: a module added now may have been removed before
	previous := e.current
	e.current, e.inForce = m, inForce
	e.deps = expandDeps(inForce, m.Instances)
	e.graph = len(e.deps) > 0
	secrets := proc.Secrets(m)
	e.secrets.Store(&secrets)
	// What added modules keep of their recorded state is named in the plan
	// before it is announced.
	kept := make(map[string]*statusfs.State)
	if readded {
		for _, name := range plan.Add {
			if dir, ok := dirs[name]; ok {
				kept[name] = keptDecision(&plan, dir.Path(), *byName[name])
			}
		}
	}
	if o.Announce != nil {
		o.Announce(plan)
	}
	for _, name := range plan.Remove {
		s := e.sups[name]
		e.dropSup(name)
		e.draining[name] = s
		s.send(supMsg{kind: msgRelease})
	}
	// The new gates first: a replaced module must not start against the old.
	e.reconcileDeps()
	for _, name := range plan.Restart {
		e.sups[name].send(supMsg{kind: msgReplace, mod: byName[name]})
	}
	for _, name := range plan.Update {
		e.sups[name].send(supMsg{kind: msgUpdate, mod: byName[name]})
	}
	// An unchanged module moves to its equal in m, so that the manifest it was
	// added with can be collected.
	if m != previous {
		for _, name := range plan.Keep {
			if s, ok := e.sups[name]; ok && byName[name] != nil {
				s.send(supMsg{kind: msgRebase, mod: byName[name]})
			}
		}
	}
	// One scan of every process for what a killed svman left of the added modules.
	var marked map[string][]int
	if len(dirs) > 0 {
		paths := make(map[string]bool, len(dirs))
		for _, d := range dirs {
			paths[d.Path()] = true
		}
		marked = proc.MarkedProcesses(paths)
	}
	for _, name := range plan.Add {
		dir, ok := dirs[name]
		if !ok {
			continue
		}
		if e.cfg.Output != nil {
			e.cfg.Output.Add(name)
		}
		s := e.newSupervisor(byName[name], dir)
		s.kept = kept[name]
		s.leftover = marked[dir.Path()]
		e.addSup(name, s)
		added = append(added, s)
		go s.run()
	}
	e.reconcileDeps() // the graph may have changed
	return plan, added, nil, err
}

// prune forgets supervisors that ended on their own (`x`) or finished draining.
func (e *Engine) prune() {
	for _, s := range e.sups {
		e.forget(s)
	}
	for _, s := range e.draining {
		e.forget(s)
	}
}

// forget forgets s if it has ended: a module it supervised that is still
// desired was released with `x` (none is taken back once svman stops).
func (e *Engine) forget(s *supervisor) {
	if !isClosed(s.done) {
		return
	}
	if e.draining[s.name] == s {
		delete(e.draining, s.name)
	}
	if e.sups[s.name] != s {
		return
	}
	e.dropSup(s.name)
	if e.closing {
		return
	}
	if mod, ok := e.desired(s.name); ok {
		e.released[s.name] = mod
	}
}

func (e *Engine) desired(name string) (manifest.Module, bool) {
	for _, m := range e.inForce {
		if m.Name == name {
			return m, true
		}
	}
	return manifest.Module{}, false
}

// modules returns the desired module of every live supervisor, in manifest order
// (pending removals last).
func (e *Engine) modules() []manifest.Module {
	var out []manifest.Module
	for _, m := range e.inForce {
		if _, ok := e.sups[m.Name]; ok {
			out = append(out, m)
		}
	}
	return out
}
