package engine

import (
	"encoding/json"
	"fmt"
	"time"

	"svman/statusfs"
)

// State is what svman knows of a module beyond the legacy status file: whether it
// waits out a crash loop's backoff (and why) or has been given up on, and why it
// is down. It is written to state.json in the status directory whenever it
// changes, read by `svman status`, and read back when a module is added again
// (kept.go).
type State struct {
	State     string    `json:"state"`                // "up", "down", "backoff", "failed"
	NextStart time.Time `json:"next_start,omitzero"`  // backoff: when the next start is due
	Fails     int       `json:"fails,omitempty"`      // consecutive runs shorter than min_uptime: a crash loop
	MinUptime string    `json:"min_uptime,omitempty"` // backoff: the min_uptime those runs fell short of
	Exits     int       `json:"exits,omitempty"`      // exits in the current alarm window
	Window    string    `json:"window,omitempty"`     // failed: the alarm window
	// Reason says, when down or failed, who decided it: "operator" (`d`),
	// "policy" (given up, or the restart policy), "removal" (the block was
	// removed, or svman stopped), "released" (`x`); empty: the block's autostart.
	Reason string `json:"reason,omitempty"`
}

var stateNames = map[state]string{
	stDown: "down", stUp: "up", stBackoff: "backoff", stStopping: "stopping", stHook: "hook", stFailed: "failed",
}

// writeState records the supervisor's state when it is one `svman status` shows
// and differs from the last one written: a restart that comes at once writes
// nothing, so the restart path stays short.
func (s *supervisor) writeState() {
	st := State{State: stateNames[s.state], Fails: s.history.Fails, Exits: s.history.Exits}
	switch s.state {
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
	b, err := json.Marshal(st)
	if err == nil {
		err = s.dir.WriteState(b)
	}
	if err != nil {
		err = fmt.Errorf("cannot record the state: %w", err)
		st = State{} // state.json is gone or old: the next write must not be skipped
	}
	s.written = st
	s.fileWritten(&s.failed.state, err)
}

// readWritten takes what state.json says as the state last written, so that a
// start that finds it already right (svman restarted) does not replace it.
func (s *supervisor) readWritten() {
	if st, err := ReadState(s.dir.Path()); err == nil {
		s.written = st
	}
}

// ReadState returns the state a supervisor last recorded in the status directory dir.
func ReadState(dir string) (State, error) {
	var st State
	b, err := statusfs.ReadState(dir)
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(b, &st)
}
