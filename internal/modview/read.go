package modview

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"svman/statusfs"
)

// read is Read, with holder telling who holds a status directory's lock.
func read(name, dir string, now time.Time, holder func(dir string) (int, bool)) Status {
	r := Status{Module: name, State: NotSupervised}
	r.Supervised = statusfs.Supervised(dir)
	if !r.Supervised && statusfs.Listening(dir) {
		r.State = Released // by `x`: the svman that let go of it takes it back on u or o
	}
	if pid, ok := holder(dir); ok {
		r.SupervisorPID = pid
	}
	if !r.Supervised {
		return r // the files are what the last supervisor left: not the truth now
	}
	st, err := statusfs.ReadStatus(dir)
	describe(&r, st, err, func() (statusfs.State, error) { return statusfs.ReadState(dir) }, now)
	return r
}

// readHeld is read of a module whose status directory d this process holds,
// from what d last wrote (statusfs.Dir.Written) rather than from the files;
// false when d is closed.
func readHeld(name string, d *statusfs.Dir, now time.Time) (Status, bool) {
	w, ok := d.Written()
	if !ok {
		return Status{}, false
	}
	r := Status{Module: name, State: NotSupervised, Supervised: true, SupervisorPID: os.Getpid()}
	describe(&r, w.Status, w.StatusErr, func() (statusfs.State, error) { return w.State, w.StateErr }, now)
	return r, true
}

// describe fills r, a supervised module, from its status file (st, or err
// when it cannot be read) and, when that is not enough, its state.json (as
// state returns it).
func describe(r *Status, st statusfs.Status, err error, state func() (statusfs.State, error), now time.Time) {
	if err != nil {
		statusBroken(r, state, err)
		return
	}
	r.Since = st.Changed
	r.Seconds = now.Sub(st.Changed).Seconds()
	switch st.Want {
	case statusfs.WantUp:
		r.Want = "up"
	case statusfs.WantDown:
		r.Want = "down"
	case statusfs.WantOnce:
		r.Want = "once"
	}
	r.Alarms = "on"
	if !st.AlarmsOn {
		r.Alarms = "off"
	}
	r.PID = st.PID
	switch {
	case st.PID != 0 && st.Paused:
		r.State = Paused
		runningState(r, state)
	case st.PID != 0:
		r.State = Up
		runningState(r, state)
	default:
		downState(r, state, st.Want)
	}
}

// runningState fills r, whose child runs, with what state.json says of it:
// whether it is ready, healthy, what it said on its notify socket. Without a
// readable state.json its readiness is unknown, and it is not ready.
func runningState(r *Status, state func() (statusfs.State, error)) {
	if es, err := state(); err == nil {
		r.addState(es)
	}
}

// addState copies into r, whose PID is set, what state.json (es) says beyond
// the status file. r is ready only when both say a child runs: state.json lags
// behind the status file, and may still describe the module before this child
// started, or after it exited.
func (r *Status) addState(es statusfs.State) {
	r.runState = es.State
	r.Ready = r.PID != 0 && es.State == statusfs.RunUp && es.Ready
	r.Reason = es.Reason.String()
	r.WaitingOn, r.Blocked, r.Status = es.Waiting, es.Blocked, es.Status
	r.Unhealthy, r.Completed = es.Unhealthy, es.Completed
	r.Restarts, r.LastExit = es.Restarts, es.LastExit
}

// downState fills r for a supervised module whose status file says no child
// runs: the status file cannot say why, state.json (as state returns it) can. Without
// state.json (removed on a full disk) the module is down; with one that cannot
// be read, its state is unknown.
func downState(r *Status, state func() (statusfs.State, error), want statusfs.Want) {
	r.State = Down
	es, err := state()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return
	case err != nil:
		r.State, r.Error = Unknown, fmt.Sprintf("state.json unreadable: %v", err)
		return
	}
	r.addState(es)
	switch {
	case es.State == statusfs.RunWaiting:
		r.State = Waiting
	case es.State == statusfs.RunBackoff:
		r.State, r.NextStart = Backoff, es.NextStart
		r.CrashLoop, r.MinUptime = es.Fails, es.MinUptime
	case es.State == statusfs.RunFailed:
		r.State, r.NextStart = Failed, es.NextStart
	case (es.State == statusfs.RunUp || es.State == statusfs.RunStopping) && want == statusfs.WantUp:
		// The child is gone and nothing was decided yet, or what it left
		// in its group is being stopped: a restart at once is under way.
		r.State = Restarting
	}
}

// statusBroken fills r for a module whose svman runs but whose status file cannot
// be read: deleted, or something else (a directory) put in its place. svman
// writes it again as soon as it notices; until then state.json says what it can.
func statusBroken(r *Status, state func() (statusfs.State, error), err error) {
	r.State = Unknown
	if es, serr := state(); serr == nil {
		r.State, r.NextStart = State(es.State.String()), es.NextStart // as state.json names it
		r.addState(es)
	}
	r.Error = fmt.Sprintf("status file unreadable, svman is rewriting it: %v", err)
}
