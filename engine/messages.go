package engine

import (
	"cmp"
	"runtime"
	"syscall"
	"time"

	"svman/manifest"
	"svman/statusfs"
)

// supMsg is what the engine asks of a supervisor. It stays small (the module by
// pointer, one of the manifest in force, which nobody changes): the channel's
// buffer and the run loop's frame hold it.
type supMsg struct {
	kind msgKind
	mod  *manifest.Module // msgUpdate, msgRebase, msgReplace
	gate *gate            // msgGate
	held bool             // msgDependents
	sig  syscall.Signal   // msgSignal
}

type msgKind int

const (
	msgUpdate     msgKind = iota // new policy, same process: applied in place
	msgRebase                    // the same settings, from the manifest now in force
	msgReplace                   // new process settings: stop, then start with mod
	msgRelease                   // stop the child and end supervision
	msgKill                      // SIGKILL the group now (second interrupt)
	msgGate                      // what the dependencies are now: gate
	msgDependents                // modules that restart with it depend on it (held), or no longer
	msgProceed                   // its dependents have stopped: a held stop goes on
	msgRestart                   // stop and start again at once, wanted up (Engine.Restart)
	msgSignal                    // send sig to the child (Engine.Signal)
)

func (s *supervisor) handleMsg(m supMsg) {
	switch m.kind {
	case msgUpdate, msgRebase:
		if s.next != nil {
			// A replacement waits for the child to stop: the manifest in force
			// says what it will run with, not the child.
			s.next = m.mod
			return
		}
		old := s.mod
		s.mod = m.mod
		if m.kind == msgUpdate {
			s.setLogOptions()
			s.oweApplied()
			s.checksChanged(old)
		}
	case msgReplace:
		s.next = m.mod
		switch s.state {
		case stUp:
			s.stop()
		case stDown, stBackoff, stFailed, stWaiting:
			s.disarm()
			s.state = stDown
			s.afterStop()
		} // stStopping and stHook adopt it when they are done
	case msgRelease:
		s.exitWhenDown, s.release = true, true
		s.want, s.downBy = statusfs.WantDown, cmp.Or(s.downBy, statusfs.DownByRemoval)
		switch s.state {
		case stUp:
			s.stop()
			// A release comes to every module at once when svman stops (or a
			// reload removes many): yield, so that the other supervisors send
			// their stop signals before this one goes on to what its stop owes
			// (its log line, its event), and every child is told to stop at once.
			runtime.Gosched()
		case stDown, stBackoff, stFailed, stWaiting:
			s.disarm()
			s.afterStop()
		}
	case msgKill:
		if s.state == stUp || s.state == stStopping {
			s.endChecks()
			s.state, s.poll = stStopping, pollFirst
			s.killNow()
		}
	case msgGate:
		s.handleGate(*m.gate)
	case msgDependents:
		s.holdsDependents = m.held
	case msgProceed:
		s.proceedStop()
	case msgRestart:
		s.restartNow()
	case msgSignal:
		s.signalChild(m.sig)
	}
}

// adoptNext makes a pending replacement module current; its block changed, so
// its autostart decides the want again, over any earlier `d`.
func (s *supervisor) adoptNext() {
	if s.next == nil {
		return
	}
	s.mod, s.next = s.next, nil
	s.setLogOptions()
	s.oweApplied()
	s.want, s.downBy = statusfs.WantDown, statusfs.NoReason
	if s.mod.Autostart {
		s.want = statusfs.WantUp
	}
	s.startAt = time.Time{}
	s.started = time.Time{} // a new configuration owes nothing to the old one's delay
	s.oweStatus()
}
