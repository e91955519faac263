package proc

import (
	"runtime"
	"syscall"
)

// maxForkers bounds the forking threads: a fork waits for the child's exec
// (vfork), so two forkers keep two CPUs busy with execs when many modules
// start at once; more than a few only add threads.
const maxForkers = 4

// forker is one of the reaper's forking threads: a goroutine locked to an OS
// thread that is not the main one, with a descriptor table of its own
// (forktable.go). It serves one Spawn at a time.
type forker struct {
	table *forkTable // nil if the courier could not be made: it forks from the shared table
	reqs  chan spawnRequest
	tid   int // its thread, set before it first serves
}

func newForker() *forker {
	f := &forker{reqs: make(chan spawnRequest)}
	f.table, _ = newForkTable() // without it, children are forked from the shared table
	return f
}

// private reports whether f forks from a table of its own.
func (f *forker) private() bool { return f.table != nil && f.table.private }

// runForker owns f's locked thread, the parent of every child f forks. It
// never unlocks: if it returns, the thread exits, and the kernel delivers each
// of those children's death signal, which is what must happen only when svman
// is gone. It first gives the thread its own descriptor table, then closes
// ready, then serves f's requests until the reaper closes.
//
// The thread must not be the main one: /proc/PID/fd, where operators count
// svman's open files, shows the main thread's table. If the goroutine was
// locked to it, it hands the job to a new goroutine, which cannot be scheduled
// on the main thread while this one holds it, and lets the main thread go.
func (r *Reaper) runForker(f *forker, ready chan<- struct{}) {
	runtime.LockOSThread()
	if syscall.Gettid() == syscall.Getpid() {
		moved := make(chan struct{})
		go func() {
			runtime.LockOSThread()
			close(moved)
			r.serveForks(f, ready)
		}()
		<-moved
		runtime.UnlockOSThread()
		return
	}
	r.serveForks(f, ready)
}

// serveForks is runForker on a locked thread that is not the main one.
func (r *Reaper) serveForks(f *forker, ready chan<- struct{}) {
	defer r.wg.Done()
	if f.table != nil {
		f.table.isolate() // on failure the thread forks from the shared table
	}
	f.tid = syscall.Gettid()
	close(ready)
	for {
		select {
		case req := <-f.reqs:
			req.reply <- r.fork(f, req.spec, req.fds)
		case <-r.quit:
			return
		}
	}
}
