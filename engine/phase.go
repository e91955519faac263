package engine

import "svman/statusfs"

// phase is what the engine needs to know of a module for the modules that
// depend on it and for svman's own readiness report. Its supervisor publishes
// it on the engine's board at the end of every step that changed it.
type phase struct {
	wanted    bool // want up (or once): the module is meant to run
	running   bool // the child runs (stUp)
	ready     bool // running, and ready
	healthy   bool // ready, and a health check passed since, with fewer than `failures` failed in a row (or it has none)
	completed bool // down after a run that exited with a success code
	failed    bool // given up on (stFailed)
	waiting   bool // wanted up, waiting for its own dependencies (stWaiting)
	held      bool // taken down, running until its dependents have stopped (waiting.go)
	stopping  bool // its child is being stopped, or its on_exit hook runs
	downBy    statusfs.DownReason
	// starts counts the starts of the child, so that a restart between two
	// looks of the engine is seen.
	starts uint64
}

// publishPhase puts the supervisor's phase on the engine's board (a step's
// last act). A supervisor without a board (the state machine's tests) keeps
// it to itself.
func (s *supervisor) publishPhase() {
	if s.board == nil {
		return
	}
	s.board.set(s.name, s.phase())
}

// phase is the supervisor's phase now.
func (s *supervisor) phase() phase {
	up := s.state == stUp
	return phase{
		wanted:    s.want != statusfs.WantDown,
		running:   up,
		ready:     up && s.chk.ready,
		healthy:   up && s.chk.ready && (s.mod.Health == nil || s.chk.healthy),
		completed: s.chk.completed && s.state == stDown,
		failed:    s.state == stFailed,
		waiting:   s.state == stWaiting,
		held:      s.stopHeld,
		stopping:  s.state == stStopping || s.state == stHook,
		downBy:    s.downBy,
		starts:    s.starts,
	}
}
