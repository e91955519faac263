package engine

import (
	"syscall"
	"time"

	"svman/internal/proc"
	"svman/manifest"
)

// effects are what a supervisor does to the processes of its module and to the
// descriptors it waits on: everything of supervision that is a system call.
// *proc.System is the real one; the state machine's tests use a fake. Every
// method is called from the supervisor's loop, and none blocks for long.
type effects interface {
	// Start forks spec in a new process group, its output going to out.
	Start(spec proc.Spec, out proc.Output) (proc.Child, error)
	// Signal sends sig to process pid.
	Signal(pid int, sig syscall.Signal) error
	// SignalGroup sends sig to process group pgid; a group that is gone is no error.
	SignalGroup(pgid int, sig syscall.Signal)
	// GroupAlive reports whether any process is left in process group pgid.
	GroupAlive(pgid int) bool
	// Alive reports whether process pid exists and has not exited.
	Alive(pid int) bool
	// Escapees lists the processes of status directory dir that left their
	// group and came to svman, the subreaper, when their parent died, as a
	// scan of /proc begun at or after since finds them.
	Escapees(dir string, since time.Time) []int
	// WatchExit calls exited, once, from another goroutine, with the exit of
	// c, a child Start returned; it must not block. Nothing of the supervisor
	// waits for the exit meanwhile.
	WatchExit(c proc.Child, exited func(proc.ExitStatus))
	// WatchOrphanExits has c told (without blocking: c has a buffer of one) of
	// every exit of a process svman did not fork, until UnwatchOrphanExits(c).
	WatchOrphanExits(c chan<- struct{})
	UnwatchOrphanExits(c chan<- struct{})
	// LeftoverGroup is the process group of the status file a previous svman
	// wrote (pid, changed), if processes of that run are still in it, or 0.
	LeftoverGroup(pid int, changed time.Time) int
	// WatchFD calls ready, from another goroutine, when fd is readable; it must
	// not block. After each call, fd is watched again only once rearmed.
	WatchFD(fd int, ready func()) (proc.Watch, error)
	// Probe runs one attempt of check p where and as whom spec says (its Dir,
	// Env, User and Group; Argv is p.Exec), for at most timeout, and calls done
	// once, from another goroutine, with nil if it passed. cancel abandons the
	// attempt (a process it started is killed); done may still be called.
	Probe(p manifest.Probe, spec proc.Spec, timeout time.Duration, done func(error)) (cancel func())
	// ListenNotify opens a notify socket (sd_notify) for a module; deliver is
	// called, from another goroutine, with every datagram, and must not block.
	ListenNotify(deliver func(Notification)) (NotifySocket, error)
	// ProcessGroup is the process group of process pid, or 0 if it is gone.
	ProcessGroup(pid int) int
}
