package proc

import (
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"svman/internal/fdwatch"
)

// System is the effects of supervision on this machine, for the engine: the
// reaper that forks and reaps every child, and the one epoll instance that says
// when control FIFOs and output pipes are readable.
type System struct {
	r      *Reaper
	fds    *fdwatch.Watcher
	null   *os.File    // /dev/null, every child's stdin: opened once, not at each start
	closed atomic.Bool // set by Close: exits reaped later are not handed on
}

// NewSystem returns the System of r. It fails if the kernel cannot tell when
// descriptors are readable (epoll): svman reads every control FIFO and output
// pipe that way. Close releases it.
func NewSystem(r *Reaper) (*System, error) {
	fds, err := fdwatch.New()
	if err != nil {
		return nil, err
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		fds.Close()
		return nil, err
	}
	return &System{r: r, fds: fds, null: null}, nil
}

// Close stops watching descriptors and exits; every Watch has been removed,
// and every child WatchExit was told of has exited, by then. An exit reaped
// after Close is not handed on (one being handed on as Close is called may
// still be).
func (s *System) Close() {
	s.closed.Store(true)
	s.fds.Close()
	s.null.Close()
}

// WatchExit calls exited, once, from another goroutine, with the exit of c
// (the reaper's, from c.Exited): the reaper's own, as it reaps c (OnExit), so
// that no goroutine waits for it. exited must not block, nor call WatchExit.
func (s *System) WatchExit(c Child, exited func(ExitStatus)) {
	s.r.OnExit(c.PID, c.Exited, func(st ExitStatus) {
		if !s.closed.Load() {
			exited(st)
		}
	})
}

// Watch is a descriptor WatchFD watches: after each call of ready, it is not
// watched again until Rearm.
type Watch interface {
	Rearm() error
	Remove()
}

// WatchFD calls ready, from the watcher's goroutine, when fd is readable. ready
// must not block.
func (s *System) WatchFD(fd int, ready func()) (Watch, error) {
	x, err := s.fds.Add(fd, func(*fdwatch.Watch) { ready() })
	if err != nil {
		return nil, err
	}
	return x, nil
}

// Signal sends sig to process pid.
func (s *System) Signal(pid int, sig syscall.Signal) error { return Signal(pid, sig) }

// SignalGroup sends sig to process group pgid.
func (s *System) SignalGroup(pgid int, sig syscall.Signal) { SignalGroup(pgid, sig) }

// GroupAlive reports whether any process is left in process group pgid.
func (s *System) GroupAlive(pgid int) bool { return GroupAlive(pgid) }

// Alive reports whether process pid exists and has not exited.
func (s *System) Alive(pid int) bool { return Alive(pid) }

// Escapees lists the processes of status directory dir that left their group
// and came to svman, the subreaper, as a scan begun at or after since finds
// them (Reaper.Escapees).
func (s *System) Escapees(dir string, since time.Time) []int { return s.r.Escapees(dir, since) }

// WatchOrphanExits is Reaper.WatchOrphanExits.
func (s *System) WatchOrphanExits(c chan<- struct{}) { s.r.WatchOrphanExits(c) }

// UnwatchOrphanExits is Reaper.UnwatchOrphanExits.
func (s *System) UnwatchOrphanExits(c chan<- struct{}) { s.r.UnwatchOrphanExits(c) }

// LeftoverGroup is the package's LeftoverGroup.
func (s *System) LeftoverGroup(pid int, changed time.Time) int { return LeftoverGroup(pid, changed) }

// Hostname is this machine's name, or "" if it cannot be told.
func Hostname() string {
	h, _ := os.Hostname()
	return h
}
