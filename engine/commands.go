package engine

import (
	"syscall"

	"svman/statusfs"
)

// unknownShown is how many of a read's unknown bytes its warning shows.
const unknownShown = 16

// applyControl applies the bytes of one read of the control FIFO, with the
// legacy meanings (see the statusfs package and the reference of the legacy
// supervise), in order, but:
//   - blanks and NULs are skipped (`echo d > control` sends a newline too);
//   - a command that repeats the read's previous command is applied once: a
//     flood of `k` is one SIGKILL per read, not one per byte (the signals a
//     repeat would send coalesce in the kernel anyway, and every other command
//     means the same the second time);
//   - the read's unknown bytes are one warning, which counts them and shows the
//     first unknownShown;
//   - after `x` has ended supervision, the rest is for no one.
//
// The lines all this writes are within the module's limit (controllimit.go).
func (s *supervisor) applyControl(p []byte) {
	var prev byte
	var unknown []byte
	count := 0
	for _, b := range p {
		if s.finished {
			break
		}
		switch {
		case b == '\n' || b == '\r' || b == ' ' || b == '\t' || b == 0:
		case !statusfs.IsControl(b):
			if count++; len(unknown) < unknownShown {
				unknown = append(unknown, b)
			}
		case b != prev:
			prev = b
			s.handleCommand(b)
		}
	}
	if count > 0 {
		s.recordControl(Event{Kind: BadCommand, Unknown: unknown, UnknownCount: count})
	}
}

// handleCommand applies one command byte, one of statusfs.ControlLetters.
func (s *supervisor) handleCommand(b byte) {
	s.recordControl(Event{Kind: Command, Command: b})
	switch c := statusfs.Control(b); c {
	case statusfs.CtlUp, statusfs.CtlOnce:
		s.stopHeld = false
		s.want, s.downBy = statusfs.WantUp, statusfs.NoReason
		if c == statusfs.CtlOnce {
			s.want = statusfs.WantOnce
		}
		s.oweStatus()
		switch s.state {
		case stFailed:
			s.history = History{} // `u` re-arms a module svman gave up on
			s.start()
		case stDown, stBackoff:
			s.start()
		}
	case statusfs.CtlDown:
		s.want, s.downBy = statusfs.WantDown, statusfs.DownByOperator
		s.oweStatus()
		switch s.state {
		case stUp:
			s.stopAfterDependents()
		case stBackoff, stWaiting:
			s.disarm()
			s.goDown()
		}
	case statusfs.CtlExit:
		s.exitWhenDown = true
		if s.state == stDown || s.state == stBackoff || s.state == stFailed || s.state == stWaiting {
			s.finish()
		}
	case statusfs.CtlKill, statusfs.CtlTerm, statusfs.CtlInt, statusfs.CtlHup, statusfs.CtlAlrm:
		s.signalChild(commandSignals[c])
	case statusfs.CtlPause:
		if s.pid != 0 && !s.paused {
			s.signalGroup(syscall.SIGSTOP)
			s.paused = true
			s.oweStatus()
			s.recordControl(Event{Kind: Paused, PID: s.pgid})
		}
	case statusfs.CtlCont:
		if s.pid != 0 && s.paused {
			s.signalGroup(syscall.SIGCONT)
			s.paused = false
			s.oweStatus()
			s.recordControl(Event{Kind: Continued, PID: s.pgid})
		}
	case statusfs.CtlSilence, statusfs.CtlNotify:
		s.alarms = c == statusfs.CtlNotify
		s.oweStatus()
	case statusfs.CtlReload:
		s.recordControl(Event{Kind: Reload})
	}
}

// commandSignals are the commands that send one signal to the child itself, as the
// legacy tool does (a stop, by contrast, goes to the whole group).
var commandSignals = map[statusfs.Control]syscall.Signal{
	statusfs.CtlKill: syscall.SIGKILL,
	statusfs.CtlTerm: syscall.SIGTERM,
	statusfs.CtlInt:  syscall.SIGINT,
	statusfs.CtlHup:  syscall.SIGHUP,
	statusfs.CtlAlrm: syscall.SIGALRM,
}

func (s *supervisor) signalChild(sig syscall.Signal) {
	if s.pid == 0 {
		return
	}
	if err := s.fx.Signal(s.pid, sig); err != nil {
		s.recordControl(Event{Kind: Warning, Err: err})
		return
	}
	s.recordControl(Event{Kind: Signaled, PID: s.pid, Signal: sig})
}
