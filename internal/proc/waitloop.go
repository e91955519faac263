package proc

import (
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// The reaper learns of an exit by waiting for it in the kernel: its loop
// blocks in waitid(P_ALL, WEXITED|WNOWAIT), which returns as soon as a child
// is a zombie, and then reaps every exited child with wait4 (reapAll). The
// kernel wakes the loop's thread itself, where SIGCHLD went through a signal
// handler and the goroutine that forwards signals first: one to three thread
// wake-ups, 100 to 300 µs of every restart. WNOWAIT leaves the zombie to
// reapAll, the one place that reaps.
//
// While svman has no child at all, waitid fails at once (ECHILD): the loop
// then waits for the reaper's next fork. (A subreaper adopts only its own
// descendants, so a process without children adopts none.) SIGCHLD wakes it
// too, so that a child forked by other code than the reaper, which nothing in
// svman does, is still reaped.
//
// Close cannot interrupt waitid. A loop blocked there is left to return at
// the next exit of any child of the process, and then reaps nothing (WNOWAIT
// left that zombie to whoever reaps now): Close does not wait for it.
type waitLoop struct {
	mu      sync.Mutex
	closing bool // Close was called: the loop reaps nothing more
	blocked bool // the loop is in waitid, or about to enter it

	done  chan struct{}  // closed when the loop returns
	forks chan struct{}  // a token once a fork succeeded, for a loop that found no child
	sigc  chan os.Signal // SIGCHLD, for a loop that found no child
}

// startReaping starts the loop.
func (r *Reaper) startReaping() {
	l := &r.loop
	l.done = make(chan struct{})
	l.forks = make(chan struct{}, 1)
	l.sigc = make(chan os.Signal, 1)
	signal.Notify(l.sigc, syscall.SIGCHLD)
	go r.waitLoop()
}

// stopReaping has the loop reap nothing more, and closes quit. It waits for
// the loop to return unless the loop is blocked in waitid (see above).
func (r *Reaper) stopReaping() {
	l := &r.loop
	l.mu.Lock()
	l.closing = true
	blocked := l.blocked
	l.mu.Unlock()
	close(r.quit)
	if !blocked {
		<-l.done
	}
}

// forked tells a loop that found no child that there is one now.
func (r *Reaper) forked() {
	select {
	case r.loop.forks <- struct{}{}:
	default:
	}
}

// waitLoop reaps every exit, waiting for each in waitid, until Close.
func (r *Reaper) waitLoop() {
	l := &r.loop
	defer close(l.done)
	defer signal.Stop(l.sigc)
	for {
		if r.reapAll() {
			// The supervisors just told of an exit are runnable on this
			// goroutine's P, which waitid would hold, idle, until the runtime
			// noticed (up to 10 ms): let them run first.
			runtime.Gosched()
		}
		if !r.awaitExit() {
			return
		}
	}
}

// awaitExit waits until a child has exited, or may have; false once Close was
// called.
func (r *Reaper) awaitExit() bool {
	l := &r.loop
	l.mu.Lock()
	if l.closing {
		l.mu.Unlock()
		return false
	}
	l.blocked = true
	l.mu.Unlock()
	err := waitAnyExit()
	l.mu.Lock()
	l.blocked = false
	closing := l.closing
	l.mu.Unlock()
	if closing {
		return false
	}
	if err != nil { // ECHILD: no child to wait for
		select {
		case <-l.forks:
		case <-l.sigc:
		case <-r.quit:
			return false
		}
	}
	return true
}

// waitAnyExit blocks until a child of the process is a zombie, and leaves it
// one.
func waitAnyExit() error {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_ALL, 0, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return err
		}
	}
}
