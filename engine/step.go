package engine

import (
	"runtime"

	"svman/statusfs"
)

// A step is one event of the supervisor's loop (a message, control bytes, an
// exit, a timer, ...) handled to its end. The handlers change the supervisor's
// state and act on the child at once (a fork is what a restart waits for), and
// collect in the step what the change owes the world: the files of the status
// directory to write (oweStatus, oweState, oweApplied) and the events and alarms
// to hand out (record, afterStep). The loop then applies the step once, in the
// order the contract needs: module.json, the status file, state.json, so that
// whoever sees a new pid in the status file finds the settings it runs with and
// whoever sees an event of the step finds the files that go with it; then the
// step's events and alarms, in the order they happened. The status file is
// written once per step, with the pid the step ends with (the legacy contract
// asks for the status of every pid change, not of every moment in between), and
// its fsync never delays a fork.
//
// A step holds the module's console gate (order.go) from its beginning until
// its events have been handed over, so the module's output read meanwhile
// follows them. Only the loop runs steps, one at a time (run).

// step is what the step under way owes.
type step struct {
	files owedFiles
	later []handout // events and alarms, in order
	// signalled: the step sent a stop signal; it yields before its writes
	// (endStep).
	signalled bool
}

// handout is one thing a step hands out once its files are written: an event
// (record), or a function (afterStep).
type handout struct {
	ev *Event
	f  func()
}

// owedFiles are the files of the status directory a step must write.
type owedFiles struct {
	status, state, applied bool
}

// beginStep begins a step: it takes the console gate.
func (s *supervisor) beginStep() { s.shown.Lock() }

// endStep applies what the step owes, then lets the console gate go.
func (s *supervisor) endStep() {
	defer s.shown.Unlock()
	if s.step.signalled {
		// A shutdown tells every supervisor at once, and each step signals
		// first and then writes. Without this yield the two CPUs ran the
		// steps one after another, so the last module heard its signal only
		// after 99 modules' writes (68 ms for 100 modules in a trace). Yielding
		// lets the other supervisors told meanwhile signal first: the modules
		// die while the supervisors write.
		s.step.signalled = false
		runtime.Gosched()
	}
	owed := s.step.files
	s.step.files = owedFiles{}
	if owed.applied {
		s.writeApplied()
	}
	if owed.status {
		s.writeStatus()
	}
	if owed.state {
		s.writeState()
	}
	s.publishPhase()
	later := s.step.later // with what the writes themselves recorded
	s.step.later = nil    // most steps queue nothing: keep no buffer per idle module
	// The lines of the events up to each function, or to the end, go to the
	// supervise logs in one write per log, and only then are the events handed
	// out: a step that says three things opens supervise.log once, not three
	// times (a stop of 100 modules made 500 such opens).
	var lines statusfs.LogBatch
	said := 0 // later[said:i] are events in lines, not handed out yet
	for i, l := range later {
		if l.ev != nil {
			s.addLine(&lines, *l.ev)
			continue
		}
		s.handOut(&lines, later[said:i])
		said = i + 1
		l.f()
	}
	s.handOut(&lines, later[said:])
}

// handOut writes the lines gathered to the supervise logs, then hands the
// events they say to the engine's hook, in order.
func (s *supervisor) handOut(lines *statusfs.LogBatch, events []handout) {
	s.dir.WriteLogs(lines)
	if s.cfg.Events == nil {
		return
	}
	for _, l := range events {
		s.cfg.Events(*l.ev)
	}
}

// oweStatus has the step write the status file, from the supervisor's state
// when the step ends.
func (s *supervisor) oweStatus() { s.step.files.status = true }

// oweState has the step write state.json, from the state when the step ends.
func (s *supervisor) oweState() { s.step.files.state = true }

// oweApplied has the step write module.json, from the module when the step ends.
func (s *supervisor) oweApplied() { s.step.files.applied = true }

// afterStep has the step run f once its files are written, and the events
// recorded before it handed out.
func (s *supervisor) afterStep(f func()) { s.step.later = append(s.step.later, handout{f: f}) }
