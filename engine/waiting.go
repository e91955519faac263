package engine

import (
	"svman/alarm"
	"svman/manifest"
	"svman/statusfs"
)

// holdForDeps puts a module that is to start, but whose dependencies are not
// what it needs, in stWaiting until the engine says they are (handleGate).
// A module that cannot start without an operator says so, and alarms once.
func (s *supervisor) holdForDeps() {
	s.disarm()
	// Entering the wait is an event; a new reason while it waits is one only
	// when it becomes (or stops being) one no start can end: state.json
	// always has the reason of the moment.
	if s.state != stWaiting || s.gate.blocked != s.waitBlocked {
		s.record(Event{Kind: Waiting, Text: s.gate.why})
	}
	s.waitBlocked = s.gate.blocked
	if s.state != stWaiting {
		s.oweStatus() // want up, no pid: what a start that waits writes
	}
	s.state = stWaiting
	s.oweState()
	if s.gate.blocked && !s.chk.blockedAlarm {
		s.chk.blockedAlarm = true
		s.raise(alarm.Blocked, nil)
	}
}

// handleGate takes what the engine says of the module's dependencies now. A
// waiting module starts once they are met. A running module with
// on_dependency_restart = "restart" is stopped when they no longer are, or
// when one of them was started again; its restart then waits for them.
func (s *supervisor) handleGate(g gate) {
	old := s.gate
	s.gate = g
	if g.open {
		s.chk.blockedAlarm = false
	}
	switch s.state {
	case stWaiting:
		if g.open {
			s.start()
		} else if g.why != old.why {
			s.holdForDeps()
		}
	case stUp:
		if s.mod.OnDependencyRestart != manifest.DepRestart {
			return
		}
		if !g.open || (old.open && g.epoch != old.epoch) {
			s.stop() // afterStop starts it again, through the gate
		}
	}
}

// stopAfterDependents stops a module the operator took down, but first, if
// modules that restart with it depend on it, lets them stop: it runs on until
// the engine says they have (msgProceed).
func (s *supervisor) stopAfterDependents() {
	if !s.holdsDependents {
		s.stop()
		return
	}
	if !s.stopHeld {
		s.stopHeld = true
		s.record(Event{Kind: Waiting, Text: "its dependents stop first"})
	}
}

// proceedStop goes on with a stop held for the module's dependents.
func (s *supervisor) proceedStop() {
	if !s.stopHeld {
		return
	}
	s.stopHeld = false
	if s.state == stUp && s.want == statusfs.WantDown {
		s.stop()
	}
}
