package engine

import (
	"fmt"
	"path/filepath"

	"svman/manifest"
	"svman/statusfs"
)

// keeps is the rule for a module added again: given what its status directory
// records (state.json, the status file's want) and whether its block is the one
// module.json recorded, it says whether the module keeps that state, and how the
// plan names it. A module svman gave up on stays failed, one taken down with `d`
// stays down, and one released with `x` stays released, as long as its block is
// unchanged; anything else starts as its block says.
func keeps(st statusfs.State, want statusfs.Want, sameBlock bool) (string, bool) {
	switch {
	case !sameBlock:
		return "", false
	case st.State == statusfs.RunDown && st.Reason == statusfs.DownByRelease:
		return "released", true
	case want != statusfs.WantDown:
		return "", false
	case st.State == statusfs.RunFailed:
		return "failed", true
	case st.State == statusfs.RunDown && st.Reason == statusfs.DownByOperator:
		return "down by d", true
	}
	return "", false
}

// recorded reads what the status directory dir records of mod, which is being
// added again, and applies the rule: the state it keeps and how the plan names it.
func recorded(dir string, mod manifest.Module) (statusfs.State, string, bool) {
	st, err := statusfs.ReadState(dir)
	if err != nil {
		return st, "", false
	}
	status, err := statusfs.ReadStatus(dir)
	if err != nil {
		return st, "", false
	}
	what, ok := keeps(st, status.Want, statusfs.HoldsApplied(dir, mod))
	return st, what, ok
}

// keepReleased takes out of the plan's additions every module whose status
// directory records that `x` released it, with the same block, and that no one
// supervises since: it stays released (e.released) as if its block had never
// gone, and the plan counts it unchanged and names it in Kept.
func (e *Engine) keepReleased(p *Plan, statusDir string, byName map[string]*manifest.Module) {
	var add []string
	for _, name := range p.Add {
		dir := filepath.Join(statusDir, name)
		if _, what, ok := recorded(dir, *byName[name]); ok && what == "released" && !statusfs.Supervised(dir) {
			e.released[name] = *byName[name]
			e.listenAgain(name, dir)
			p.Keep = append(p.Keep, name)
			p.kept(name, what)
			continue
		}
		add = append(add, name)
	}
	p.Add = add
}

// keptDecision returns the state the supervisor of mod, added again, keeps
// (nil: none), naming it in the plan's Kept.
func keptDecision(p *Plan, dir string, mod manifest.Module) *statusfs.State {
	st, what, ok := recorded(dir, mod)
	if !ok || what == "released" {
		return nil
	}
	p.kept(mod.Name, what)
	return &st
}

// kept names in the plan a module that keeps its recorded state.
func (p *Plan) kept(name, what string) {
	if p.Kept == nil {
		p.Kept = make(map[string]string)
	}
	p.Kept[name] = what
}

// restoreKept makes the supervisor of a module added again take up the state
// the engine found recorded (s.kept): it stays failed or down instead of
// starting. The counters it records come back too; the alarm window does not.
func (s *supervisor) restoreKept() {
	if s.kept == nil {
		return
	}
	st := *s.kept
	s.kept = nil
	s.want, s.downBy = statusfs.WantDown, st.Reason
	if st.State == statusfs.RunFailed {
		s.state = stFailed
		s.history.Fails, s.history.Exits = st.Fails, st.Exits
	}
}

// listenAgain listens for `u` or `o` on the control FIFO of name, a module added
// again that stays released (keepReleased), as svman did before its block went:
// it takes the directory and releases it at once, keeping the FIFO.
func (e *Engine) listenAgain(name, dir string) {
	d, err := statusfs.OpenWith(dir, dirOptions(e.released[name]))
	if err != nil {
		e.emit(Event{Module: name, Kind: Warning, Err: fmt.Errorf("released, and cannot listen for u or o: %w", err)})
		return
	}
	rel, err := d.Release()
	if err != nil {
		e.emit(Event{Module: name, Kind: Warning, Err: fmt.Errorf("released, and cannot listen for u or o: %w", err)})
		return
	}
	e.listen(name, rel)
}
