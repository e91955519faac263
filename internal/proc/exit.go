package proc

import (
	"fmt"
	"syscall"
	"time"

	"svman/manifest"
)

// ExitStatus is how a child ended, as the kernel reported it to the reaper.
type ExitStatus struct {
	PID        int
	Code       int            // exit code; -1 when killed by a signal
	Signal     syscall.Signal // the signal that killed it, 0 for a normal exit
	CoreDumped bool
	At         time.Time // when the reaper collected it
}

func exitStatusFrom(pid int, ws syscall.WaitStatus, at time.Time) ExitStatus {
	e := ExitStatus{PID: pid, Code: -1, At: at}
	switch {
	case ws.Exited():
		e.Code = ws.ExitStatus()
	case ws.Signaled():
		e.Signal = ws.Signal()
		e.CoreDumped = ws.CoreDump()
	}
	return e
}

// Success reports a plain exit with code 0.
func (e ExitStatus) Success() bool { return e.Signal == 0 && e.Code == 0 }

// String reads as the end of "web exited with code 3" or "web was killed by SIGKILL".
func (e ExitStatus) String() string {
	if e.Signal != 0 {
		s := "killed by " + manifest.SignalName(e.Signal)
		if e.CoreDumped {
			s += " (core dumped)"
		}
		return s
	}
	return fmt.Sprintf("exited with code %d", e.Code)
}
