package statusfs

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"
)

// State is the content of state.json: what svman knows of a module beyond the
// status file, for `svman status` and for a module added again. It says
// whether the module waits out a crash loop's backoff (and why), has been
// given up on, and why it is down.
//
// On disk it is one JSON object, {"state":"backoff","next_start":...}, with
// the keys of the tags below; zero fields but state are left out.
type State struct {
	State     RunState  `json:"state"`
	NextStart time.Time `json:"next_start,omitzero"`  // backoff: when the next start is due
	Fails     int       `json:"fails,omitempty"`      // consecutive runs shorter than min_uptime: a crash loop
	MinUptime string    `json:"min_uptime,omitempty"` // backoff: the min_uptime those runs fell short of
	Exits     int       `json:"exits,omitempty"`      // exits in the current alarm window
	Window    string    `json:"window,omitempty"`     // failed: the alarm window
	// Reason says, when down or failed, who decided it.
	Reason DownReason `json:"reason,omitempty"`
	// Ready: the child runs and is ready (its ready probe passed, it sent
	// READY=1, or it has no ready block). Left out when false.
	Ready bool `json:"ready,omitempty"`
	// Waiting, in state "waiting", says what the module waits for: "db not
	// ready", or why it cannot start at all: "db failed".
	Waiting string `json:"waiting,omitempty"`
	// Blocked, in state "waiting": what it waits for cannot happen without an
	// operator (a dependency failed, or was taken down).
	Blocked bool `json:"blocked,omitempty"`
	// Status is the last STATUS= the module sent on its notify socket.
	Status string `json:"status,omitempty"`
	// Unhealthy counts the health checks that failed in a row (a passing
	// check is no change to write: 1000 modules checked every 10 s cost
	// state.json nothing while they pass).
	Unhealthy int `json:"unhealthy,omitempty"`
	// Completed: the module's last run exited with a success code (a one-shot
	// that has done its work), which satisfies `completed` dependencies.
	Completed bool `json:"completed,omitempty"`
	// Restarts counts the starts svman scheduled after the module's process
	// ended on its own (its restart policy), since this svman began
	// supervising it: the metric svman_module_restarts_total.
	Restarts int `json:"restarts,omitempty"`
	// LastExit is how the module's process last ended; zero before its
	// first end.
	LastExit Exit `json:"last_exit,omitzero"`
}

// Exit is how a process ended, as state.json's "last_exit" says it:
// {"at":"...","code":1}, or {"at":"...","signal":"SIGKILL","coredumped":true}.
type Exit struct {
	At         time.Time
	Code       int    // the exit code, when no signal killed it
	Signal     string // the signal that killed it ("SIGKILL"); "" for an exit
	CoreDumped bool
}

// exitJSON is Exit on disk: code only when no signal killed it.
type exitJSON struct {
	At         time.Time `json:"at"`
	Code       *int      `json:"code,omitempty"`
	Signal     string    `json:"signal,omitempty"`
	CoreDumped bool      `json:"coredumped,omitempty"`
}

func (e Exit) MarshalJSON() ([]byte, error) {
	j := exitJSON{At: e.At, Signal: e.Signal, CoreDumped: e.CoreDumped}
	if e.Signal == "" {
		j.Code = &e.Code
	}
	return json.Marshal(j)
}

func (e *Exit) UnmarshalJSON(b []byte) error {
	var j exitJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if (j.Code == nil) == (j.Signal == "") {
		return fmt.Errorf("last_exit %s: want a code or a signal", b)
	}
	*e = Exit{At: j.At, Signal: j.Signal, CoreDumped: j.CoreDumped}
	if j.Code != nil {
		e.Code = *j.Code
	}
	return nil
}

// RunState is state.json's "state": where the supervisor of a module stands.
// Its zero value, RunUnknown, is no state at all: it is never written, and a
// name read that is none of the others is an error, never taken for another.
type RunState uint8

const (
	RunUnknown  RunState = iota // no state: the zero value, not written
	RunUp                       // "up": the child runs
	RunDown                     // "down": no child, none scheduled
	RunBackoff                  // "backoff": no child; a crash loop waits for NextStart
	RunStopping                 // "stopping": the child or its group is being stopped
	RunHook                     // "hook": the child is gone; its on_exit hook runs
	RunFailed                   // "failed": given up after too many exits; down until `u`
	RunWaiting                  // "waiting": wanted up; its dependencies are not yet what it needs (Waiting)
)

var runStateNames = [...]string{
	RunUp: "up", RunDown: "down", RunBackoff: "backoff", RunStopping: "stopping", RunHook: "hook", RunFailed: "failed",
	RunWaiting: "waiting",
}

// String returns the name state.json gives r, or "unknown".
func (r RunState) String() string {
	if int(r) < len(runStateNames) && runStateNames[r] != "" {
		return runStateNames[r]
	}
	return "unknown"
}

// MarshalText returns the name of r; RunUnknown (and any other value) is an error.
func (r RunState) MarshalText() ([]byte, error) {
	if int(r) < len(runStateNames) && runStateNames[r] != "" {
		return []byte(runStateNames[r]), nil
	}
	return nil, fmt.Errorf("no state.json name for run state %d", uint8(r))
}

// UnmarshalText takes one of the names MarshalText gives; any other is an error.
func (r *RunState) UnmarshalText(b []byte) error {
	v, ok := lookupName(runStateNames[:], b)
	if !ok || v == 0 {
		return fmt.Errorf("unknown state %q", b)
	}
	*r = RunState(v)
	return nil
}

// DownReason is state.json's "reason": who decided that a module is down (or
// failed). Its zero value, NoReason, is left out of the file: the module is
// up, or down because its block says autostart = false. A name read that is
// none of these is an error.
type DownReason uint8

const (
	NoReason       DownReason = iota // no "reason": up, or down by the block's autostart
	DownByOperator                   // "operator": `d` (or `svman ctl NAME down`)
	DownByPolicy                     // "policy": given up on, or its restart policy keeps it down
	DownByRemoval                    // "removal": its block was removed, or svman stopped
	DownByRelease                    // "released": `x` ended its supervision
)

var downReasonNames = [...]string{
	DownByOperator: "operator", DownByPolicy: "policy", DownByRemoval: "removal", DownByRelease: "released",
}

// String returns the name state.json gives r: "" for NoReason, "unknown" for a
// value that has none.
func (r DownReason) String() string {
	if int(r) < len(downReasonNames) {
		return downReasonNames[r]
	}
	return "unknown"
}

// MarshalText returns the name of r; a value that has none is an error.
func (r DownReason) MarshalText() ([]byte, error) {
	if int(r) < len(downReasonNames) {
		return []byte(downReasonNames[r]), nil
	}
	return nil, fmt.Errorf("no state.json name for down reason %d", uint8(r))
}

// UnmarshalText takes one of the names MarshalText gives; any other is an error.
func (r *DownReason) UnmarshalText(b []byte) error {
	v, ok := lookupName(downReasonNames[:], b)
	if !ok {
		return fmt.Errorf("unknown reason %q", b)
	}
	*r = DownReason(v)
	return nil
}

// lookupName returns the index of name in names.
func lookupName(names []string, name []byte) (int, bool) {
	for i, n := range names {
		if n == string(name) {
			return i, true
		}
	}
	return 0, false
}

// WriteState records st in state.json. It is advisory, rewritten on every change
// of state, and not fsync'd: after a crash of the machine nobody supervises the
// module anyway. When the new version cannot be written, the old one is removed
// (see replaceOrRemove). A State with RunUnknown is an error, and writes nothing.
func (d *Dir) WriteState(st State) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("write %s in %s: %w", stateName, d.path, err)
	}
	d.statusMu.Lock()
	defer d.statusMu.Unlock()
	err = d.replaceOrRemoveLocked(stateName, stateNewName, b)
	d.written.wroteState(st, err)
	return err
}

// ReadState returns what WriteState last wrote in dir. A file that is not one
// State (a state or reason this version does not know included) is an error;
// a missing one is an error wrapping fs.ErrNotExist.
func ReadState(dir string) (State, error) {
	var st State
	p := filepath.Join(dir, stateName)
	b, err := readRegular(p)
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, fmt.Errorf("%s: %w", p, err)
	}
	if st.State == RunUnknown {
		return State{}, fmt.Errorf("%s: no state", p)
	}
	return st, nil
}
