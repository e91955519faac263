package engine

import (
	"errors"
	"syscall"

	"svman/statusfs"
)

// ErrNotSupervised is returned by Restart and Signal for a module the engine
// does not supervise (unknown, removed, or released with `x`).
var ErrNotSupervised = errors.New("not supervised")

// Restart asks module name's supervisor to stop its child and start it again
// at once, whatever its restart policy: a module wanted down (or once) is
// wanted up from then on, one svman gave up on is re-armed, one in backoff
// starts now. A module waiting for its dependencies keeps waiting, now wanted
// up. It returns once the supervisor has been told, not once the module runs
// again: the new child's start is its Started event.
func (e *Engine) Restart(name string) error {
	return e.tell(name, supMsg{kind: msgRestart})
}

// Signal sends sig to module name's child itself (not its group), as the
// control letters k, t, i, h and a do, with a Signaled event; a module with
// no child gets nothing.
func (e *Engine) Signal(name string, sig syscall.Signal) error {
	return e.tell(name, supMsg{kind: msgSignal, sig: sig})
}

// tell sends m to module name's supervisor from the Run goroutine.
func (e *Engine) tell(name string, m supMsg) error {
	var err error
	if rerr := e.do(func() {
		s := e.sups[name]
		if s == nil || e.closing {
			err = ErrNotSupervised
			return
		}
		s.send(m)
	}); rerr != nil {
		return rerr
	}
	return err
}

// restartNow carries out msgRestart (see Restart).
func (s *supervisor) restartNow() {
	s.want, s.downBy = statusfs.WantUp, statusfs.NoReason
	s.exitWhenDown = false
	s.oweStatus()
	switch s.state {
	case stUp:
		s.stop() // afterStop starts it again: it is wanted up
	case stFailed, stBackoff, stDown:
		s.disarm()
		s.history = History{}
		s.start()
	} // stStopping and stHook start it when they are done; stWaiting when its dependencies let it
}

// Held returns the status directories of the modules the engine supervises,
// by module name, for the control API to describe them from what their
// supervisors last wrote (statusfs.Dir.Written) instead of reading files; nil
// once Run has stopped. A Dir in it may close at any time after: Written
// then says so.
func (e *Engine) Held() map[string]*statusfs.Dir {
	var held map[string]*statusfs.Dir
	_ = e.do(func() {
		held = make(map[string]*statusfs.Dir, len(e.sups))
		for name, s := range e.sups {
			held[name] = s.dir
		}
	})
	return held
}
