package engine

import (
	"fmt"

	"svman/statusfs"
)

// runStates is what state.json says of each state of a supervisor.
var runStates = map[state]statusfs.RunState{
	stDown: statusfs.RunDown, stUp: statusfs.RunUp, stBackoff: statusfs.RunBackoff,
	stStopping: statusfs.RunStopping, stHook: statusfs.RunHook, stFailed: statusfs.RunFailed,
	stWaiting: statusfs.RunWaiting,
}

// writeState records the supervisor's state in state.json (statusfs.State) when
// it is one `svman status` shows and differs from the last one written: a
// restart that comes at once writes nothing, so the restart path stays short.
func (s *supervisor) writeState() {
	k := &s.chk
	st := statusfs.State{
		State: runStates[s.state], Fails: s.history.Fails, Exits: s.history.Exits,
		Ready: s.state == stUp && k.ready, Status: k.status,
		Unhealthy: k.unhealthy,
		Completed: s.state == stDown && k.completed,
		Restarts:  s.restarts, LastExit: s.lastEnd,
	}
	switch s.state {
	case stWaiting:
		st.Waiting, st.Blocked = s.gate.why, s.gate.blocked
	case stBackoff:
		st.NextStart, st.MinUptime = s.startAt, minUptime(s.mod.Restart).String()
	case stFailed:
		st.Window = s.mod.Alarm.Interval.String()
		st.Reason = s.downBy
	case stDown:
		st.Reason = s.downBy
	}
	if st == s.written {
		return
	}
	write := s.dir.WriteState
	if s.writeLast() {
		write = s.dir.WriteLastState
	}
	err := write(st)
	if err != nil {
		err = fmt.Errorf("cannot record the state: %w", err)
		st = statusfs.State{} // state.json is gone or old: the next write must not be skipped
	}
	s.written = st
	s.fileWritten(&s.failed.state, err)
}

// readWritten takes what state.json says as the state last written, so that a
// start that finds it already right (svman restarted) does not replace it.
func (s *supervisor) readWritten() {
	if st, err := statusfs.ReadState(s.dir.Path()); err == nil {
		s.written = st
		s.lastEnd = st.LastExit // still how it last ended; the restarts count this svman's
	}
}
