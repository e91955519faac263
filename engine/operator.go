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
// supervisors last wrote (statusfs.Dir.Written) instead of reading files. It
// never waits for Run: it is what Run published after its last change of the
// set (a module just added may not be in it yet: it is then read from its
// files). A Dir in it may close at any time after: Written then says so. nil
// before Run has published any, and once it has stopped.
func (e *Engine) Held() map[string]*statusfs.Dir {
	if p := e.held.Load(); p != nil {
		return *p
	}
	return nil
}

// addSup and dropSup change the set of supervisors; Run publishes the new
// set for Held once it is done with what it is doing (publishHeld).
func (e *Engine) addSup(name string, s *supervisor) {
	e.sups[name] = s
	e.heldStale = true
}

func (e *Engine) dropSup(name string) {
	delete(e.sups, name)
	e.heldStale = true
}

// publishHeld publishes the status directories of e.sups for Held, if they
// changed since it last did. Once svman stops, the set only shrinks, and the
// directory of a module that has ended says so itself (Written): the set
// published stays, rather than be copied again at each of a thousand ends.
func (e *Engine) publishHeld() {
	if !e.heldStale || e.closing {
		return
	}
	e.heldStale = false
	held := make(map[string]*statusfs.Dir, len(e.sups))
	for name, s := range e.sups {
		held[name] = s.dir
	}
	e.held.Store(&held)
}
