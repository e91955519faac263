package engine

import "svman/manifest"

// The engine's side of dependencies: it reads the phases the supervisors
// publish (phase.go), tells each module with dependencies whether they are met
// (gate.go), reports svman's own readiness, and at shutdown lets modules go in
// reverse dependency order.

// reconcileDeps looks at the phases after a change: each module whose gate
// changed is told, and the readiness report goes out if it changed. While
// svman shuts down, no gate opens: nothing starts then.
func (e *Engine) reconcileDeps() {
	phases := e.phases()
	if !e.graph && len(e.gates) == 0 && len(e.holders) == 0 {
		e.reportReadiness(phases)
		return
	}
	if !e.closing {
		for _, m := range e.inForce {
			s := e.sups[m.Name]
			if s == nil {
				continue
			}
			g := openGate
			deps := e.deps[m.Name]
			if len(deps) > 0 {
				g = gateOf(deps, phases)
			} else if _, had := e.gates[m.Name]; !had {
				continue // never had dependencies: its gate was always open
			}
			if old, ok := e.gates[m.Name]; ok && old == g {
				continue
			}
			if len(deps) > 0 {
				e.gates[m.Name] = g
			} else {
				delete(e.gates, m.Name)
			}
			s.send(supMsg{kind: msgGate, gate: &g})
		}
	}
	e.holdForDependents(phases)
	e.reportReadiness(phases)
}

// holdForDependents tells each module whether modules that restart with it
// depend on it (so that a `d` stops them first), and lets a held stop go on
// once none of them runs.
func (e *Engine) holdForDependents(phases map[string]phase) {
	restarting := make(map[string][]string) // module -> its dependents that restart with it
	for _, m := range e.inForce {
		if m.OnDependencyRestart == manifest.DepRestart && e.sups[m.Name] != nil {
			for d := range e.deps[m.Name] {
				restarting[d] = append(restarting[d], m.Name)
			}
		}
	}
	if len(restarting) == 0 && len(e.holders) == 0 {
		return
	}
	for name, s := range e.sups {
		held := len(restarting[name]) > 0
		if held != e.holders[name] {
			if held {
				e.holders[name] = true
			} else {
				delete(e.holders, name)
			}
			s.send(supMsg{kind: msgDependents, held: held})
		}
		if !phases[name].held || e.closing {
			continue
		}
		running := false
		for _, d := range restarting[name] {
			if p := phases[d]; p.running || p.held || p.stopping {
				running = true
			}
		}
		if !running {
			s.send(supMsg{kind: msgProceed})
		}
	}
}

// phases brings the engine's picture of the phases up to date with the
// board. A module in force that has not yet published one (its supervisor is
// about to begin, or its first step is under way) is taken to be about to
// start if it starts by itself, until it publishes: it is not "not
// supervised", which would block its dependents.
func (e *Engine) phases() map[string]phase {
	e.board.take(e.published)
	if !e.graph {
		return e.published // nobody depends on anybody: only the counts are read
	}
	for _, m := range e.inForce {
		if _, ok := e.published[m.Name]; !ok && e.released[m.Name].Name == "" {
			e.published[m.Name] = phase{wanted: m.Autostart}
		}
	}
	return e.published
}

// initialGate is the gate a new supervisor of the module name starts with.
func (e *Engine) initialGate(name string) gate {
	deps := e.deps[name]
	if len(deps) == 0 {
		delete(e.gates, name)
		return openGate
	}
	g := gateOf(deps, e.phases())
	e.gates[name] = g
	return g
}

// reportReadiness hands the counts of the modules to Config.Readiness when
// they changed.
func (e *Engine) reportReadiness(phases map[string]phase) {
	if e.cfg.Readiness == nil {
		return
	}
	r := Readiness{AllReady: true}
	for name := range e.sups {
		r.Modules++
		p, ok := phases[name]
		switch {
		case !ok:
			r.Down++
			r.AllReady = false
			continue
		case p.ready:
			r.Ready++
		case p.running:
			r.Starting++
		case p.waiting:
			r.Waiting++
		case p.failed:
			r.Failed++
		default:
			r.Down++
		}
		if p.wanted && !p.ready && !p.completed {
			r.AllReady = false
		}
	}
	if r == e.readiness {
		return
	}
	e.readiness = r
	e.cfg.Readiness(r)
}

// releaseInOrder, at shutdown, lets go of every module that no module still
// supervised depends on: dependents stop before what they depend on. Once it
// has let go of every module, it has nothing more to do: it is called again
// each time a module ends.
func (e *Engine) releaseInOrder() {
	if e.allLetGo {
		return
	}
	dependedOn := make(map[string]bool)
	if e.graph {
		for _, m := range e.inForce {
			if s := e.sups[m.Name]; s != nil && !isClosed(s.done) {
				for d := range e.deps[m.Name] {
					if d != m.Name {
						dependedOn[d] = true
					}
				}
			}
		}
	}
	held := false
	for name, s := range e.sups {
		switch {
		case e.letGo[name]:
		case dependedOn[name]:
			held = true
		default:
			e.letGo[name] = true
			s.send(supMsg{kind: msgRelease})
		}
	}
	e.allLetGo = !held
}
