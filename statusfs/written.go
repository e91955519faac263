package statusfs

import (
	"errors"
	"io/fs"
	"sync"
)

// Written is what a status directory's status file and state.json say: what
// ReadStatus and ReadState of the directory return, errors included.
type Written struct {
	Status    Status
	StatusErr error
	State     State
	StateErr  error
}

// written is what a Dir knows its status file and state.json hold, because it
// wrote them, so that the svman holding the directory can say what they say
// without reading them (the control API answers for a thousand modules in
// milliseconds that way). What it does not know (before the first write, after
// a write that may have left the old version, after a Repair) is read from the
// files the first time it is asked for, and kept.
type written struct {
	mu         sync.Mutex // held while a missing part is read, so that a write's update comes after it
	w          Written
	statusKnow bool
	stateKnow  bool
}

// Written returns what the directory's status file and state.json say, as the
// Dir last wrote them (or, what it never wrote, as read from them), and false
// once the Dir is closed: the files may belong to another supervisor by then.
func (d *Dir) Written() (Written, bool) {
	c := &d.written
	c.mu.Lock()
	defer c.mu.Unlock()
	if d.isClosed() {
		return Written{}, false
	}
	if !c.statusKnow {
		c.w.Status, c.w.StatusErr = ReadStatus(d.path)
		c.statusKnow = c.w.StatusErr == nil // an error is read again next time: it is rare, and brief
	}
	if !c.stateKnow {
		c.w.State, c.w.StateErr = ReadState(d.path)
		c.stateKnow = c.w.StateErr == nil || errors.Is(c.w.StateErr, fs.ErrNotExist)
	}
	return c.w, true
}

// wroteStatus records the outcome of a WriteStatus of s: err is nil or wraps
// ErrWrittenInPlace when the file holds s, anything else when it may not.
func (c *written) wroteStatus(s Status, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.statusKnow = err == nil || errors.Is(err, ErrWrittenInPlace)
	if c.statusKnow {
		s.Changed = s.Changed.Round(0) // as read back: no monotonic clock reading
		c.w.Status, c.w.StatusErr = s, nil
	}
}

// wroteState records the outcome of a WriteState of st. After a failure the
// file is gone or old: the next Written reads it.
func (c *written) wroteState(st State, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stateKnow = err == nil
	if c.stateKnow {
		st.NextStart, st.LastExit.At = st.NextStart.Round(0), st.LastExit.At.Round(0) // as read back
		c.w.State, c.w.StateErr = st, nil
	}
}

// forget makes the next Written read both files again: something other than
// the Dir's writes changed them (Repair).
func (c *written) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.statusKnow, c.stateKnow = false, false
}
