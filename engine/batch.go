package engine

// A step of the supervisor (one message, command, exit or timer) may fork a child
// and also owe the status file, state.json, module.json, log lines and an alarm.
// The fork is what a restart waits for, and the status file's fsync alone costs
// milliseconds; so within a step those other effects are held and carried out
// once, in order, when the step ends: the replacement of a dead child is forked
// first, and the status file is written once, with the new pid (the contract of
// the legacy supervise asks for the status of every pid change, not of every
// moment in between).
//
// Only the run goroutine holds and flushes; the fields live in the supervisor,
// under the run goroutine's ownership.

// hold begins a step: until flush, writeStatus, writeState and writeApplied only
// mark their file as owed, and record and raise queue their effects.
//
// A step also holds the module's console gate (order.go) until its flush has
// handed over its events, so the module's output read meanwhile follows them.
func (s *supervisor) hold() {
	if !s.holding {
		s.shown.Lock()
	}
	s.holding = true
}

// flush ends a step: the files owed are written first (module.json, then the
// status file, then state.json), so that whoever sees an event of the step also
// finds the files that go with it, and whoever sees a new pid in the status file
// finds the settings it runs with; then the step's events are logged and its
// alarms handed over, in the order they happened.
func (s *supervisor) flush() {
	if !s.holding {
		return // no step: nothing is owed or queued
	}
	defer s.shown.Unlock()
	s.holding = false
	if s.owed.applied {
		s.owed.applied = false
		s.writeApplied()
	}
	if s.owed.status {
		s.owed.status = false
		s.writeStatus()
	}
	if s.owed.state {
		s.owed.state = false
		s.writeState()
	}
	later := s.later
	s.later = nil // most steps queue nothing: keep no buffer per idle module
	for _, f := range later {
		f()
	}
}

// afterStep runs f at the end of the step, or now outside one.
func (s *supervisor) afterStep(f func()) {
	if s.holding {
		s.later = append(s.later, f)
		return
	}
	f()
}

// owedFiles are the files of the status directory a held step must write.
type owedFiles struct {
	status, state, applied bool
}
