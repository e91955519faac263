package engine

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
	later []func() // events and alarms, in order
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
	for _, f := range later {
		f()
	}
}

// oweStatus has the step write the status file, from the supervisor's state
// when the step ends.
func (s *supervisor) oweStatus() { s.step.files.status = true }

// oweState has the step write state.json, from the state when the step ends.
func (s *supervisor) oweState() { s.step.files.state = true }

// oweApplied has the step write module.json, from the module when the step ends.
func (s *supervisor) oweApplied() { s.step.files.applied = true }

// afterStep has the step run f once its files are written.
func (s *supervisor) afterStep(f func()) { s.step.later = append(s.step.later, f) }
