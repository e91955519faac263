package proc

import (
	"errors"
	"os"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"
)

// Reaper is the only code in the process that waits for children. It forks every
// child on one of a few locked OS threads, its forkers (forker.go: so
// PR_SET_PDEATHSIG, which fires when the forking thread exits, fires only when
// svman itself dies), and it collects every exit with wait4(-1, WNOHANG) when
// a child dies (waitloop.go), handing each to the channel registered for that
// pid, or to the function OnExit gave for it. Exits of
// pids nobody registered (orphans re-parented to a subreaper svman) are reaped and
// dropped, so no zombie accumulates.
//
// There must be at most one Reaper per process, and nothing else in the process may
// wait for children (os/exec's Wait included): wait4(-1) would take their exits.
type Reaper struct {
	quit chan struct{}
	wg   sync.WaitGroup

	forkers []*forker
	idle    chan *forker // the forkers not forking now; Spawn takes one

	loop waitLoop // the goroutine that waits for exits and reaps them (waitloop.go)

	mu      sync.Mutex        // guards what follows
	waiting map[int]*exitSink // pid -> where its exit goes, registered at fork
	// forking counts the forks under way. An exit of an unregistered pid reaped
	// meanwhile may be that of a child forked a moment ago, not registered yet:
	// it waits in early until the forks under way are registered.
	forking int
	early   []earlyExit
	reaps   uint64 // exits reaped so far: tells which early exits came after a fork began
	orphans int    // exits of unregistered pids reaped so far
	// watchers are told of every exit of an unregistered pid (orphanwatch.go).
	watchers map[chan<- struct{}]struct{}

	strangers sharedScan // scans for children the reaper did not fork (orphans.go)
}

// earlyExit is an exit reaped while forks were under way, and its place among
// the reaps.
type earlyExit struct {
	seq uint64
	st  ExitStatus
}

// SpawnSpec is a fully resolved child: path, argv, environment, directory and the
// three standard files.
type SpawnSpec struct {
	Path  string
	Argv  []string
	Env   []string
	Dir   string
	Files [3]*os.File // stdin, stdout, stderr
	// Credential, if set, is the user and groups the child runs as.
	Credential *syscall.Credential
	// Notify, if set, is given to the child at descriptor NotifyFD (3 or more);
	// the descriptors between 2 and NotifyFD are closed in the child.
	Notify   *os.File
	NotifyFD int
}

type spawnRequest struct {
	spec  SpawnSpec
	fds   []int // spec.fds(), as Spawn passed them
	reply chan spawnReply
}

type spawnReply struct {
	pid    int
	exited <-chan ExitStatus
	err    error
}

// NewReaper starts the reaper's goroutines: its forkers, each locked to its
// thread, and the loop that waits for exits. Close stops them.
func NewReaper() *Reaper {
	n := min(max(runtime.GOMAXPROCS(0), 1), maxForkers)
	r := &Reaper{
		quit:    make(chan struct{}),
		idle:    make(chan *forker, n),
		waiting: make(map[int]*exitSink),
	}
	r.startReaping()
	for range n {
		f := newForker()
		r.wg.Add(1)
		ready := make(chan struct{})
		go r.runForker(f, ready)
		<-ready
		if f.table != nil {
			f.table.closeShared()
		}
		r.forkers = append(r.forkers, f)
		r.idle <- f
	}
	return r
}

// Close stops the reaper; callers stop their children first. Children still
// running lose the threads that forked them (those that keep PR_SET_PDEATHSIG
// die of it), and are no longer reaped by this reaper. Its wait loop may
// outlive Close, blocked in waitid until the next exit of any child of the
// process, and then reaps nothing (waitloop.go).
func (r *Reaper) Close() {
	r.stopReaping()
	r.wg.Wait()
	for _, f := range r.forkers {
		if f.table != nil {
			f.table.close()
		}
	}
}

// ErrReaperClosed is returned by Spawn after Close.
var ErrReaperClosed = errors.New("reaper closed")

// Spawn forks and execs spec in a new process group, on an idle forker. The
// returned channel receives the child's exit exactly once.
func (r *Reaper) Spawn(spec SpawnSpec) (pid int, exited <-chan ExitStatus, err error) {
	var f *forker
	select {
	case f = <-r.idle:
	case <-r.quit:
		return 0, nil, ErrReaperClosed
	}
	defer func() { r.idle <- f }() // room for every forker: never blocks
	req := spawnRequest{spec: spec, fds: spec.fds(), reply: make(chan spawnReply, 1)}
	if f.private() {
		if err := f.table.pass(present(req.fds)); err != nil {
			return 0, nil, err
		}
	}
	select {
	case f.reqs <- req:
	case <-r.quit:
		return 0, nil, ErrReaperClosed
	}
	rep := <-req.reply
	return rep.pid, rep.exited, rep.err
}

// Orphans is how many exits of children nobody registered were reaped.
func (r *Reaper) Orphans() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.orphans
}

// fds returns the descriptors spec hands the child: stdin, stdout, stderr and,
// if set, the notification pipe; -1 for a nil file, which the child has closed.
func (spec SpawnSpec) fds() []int {
	fds := []int{fdOf(spec.Files[0]), fdOf(spec.Files[1]), fdOf(spec.Files[2])}
	if spec.Notify != nil {
		fds = append(fds, int(spec.Notify.Fd()))
	}
	return fds
}

func fdOf(f *os.File) int {
	if f == nil {
		return -1
	}
	return int(f.Fd())
}

// present returns the descriptors of fds that are not -1, in order.
func present(fds []int) []int {
	var out []int
	for _, fd := range fds {
		if fd >= 0 {
			out = append(out, fd)
		}
	}
	return out
}

// fork runs on f's locked thread: it forks and execs spec, whose files (fds, in
// svman's table, as spec.fds() gave them) Spawn has passed into the thread's
// table when it has its own.
func (r *Reaper) fork(f *forker, spec SpawnSpec, fds []int) spawnReply {
	if f.private() {
		// The same files, as descriptors of this thread's table.
		got, err := f.table.take(len(present(fds)))
		if err != nil {
			return spawnReply{err: err}
		}
		defer closeAll(got)
		for i := range fds {
			if fds[i] >= 0 {
				fds[i], got = got[0], got[1:]
			}
		}
	}
	files := []uintptr{uintptr(fds[0]), uintptr(fds[1]), uintptr(fds[2])} // -1: closed in the child
	if spec.Notify != nil {
		for len(files) < spec.NotifyFD {
			files = append(files, ^uintptr(0)) // -1: closed in the child
		}
		files = append(files, uintptr(fds[3]))
	}
	attr := &syscall.ProcAttr{
		Dir:   spec.Dir,
		Env:   spec.Env,
		Files: files,
		Sys: &syscall.SysProcAttr{
			Setpgid:    true,
			Pdeathsig:  syscall.SIGKILL,
			Credential: spec.Credential,
		},
	}
	r.mu.Lock()
	r.forking++
	since := r.reaps
	r.mu.Unlock()
	pid, err := syscall.ForkExec(spec.Path, spec.Argv, attr)
	if err == nil {
		r.forked()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.forking--
	defer r.settleEarly()
	if err != nil {
		return spawnReply{err: err}
	}
	ch := make(chan ExitStatus, 1)
	// The child may have exited, and been reaped, before this registration.
	// Only an exit reaped after this fork began can be its: a pid reaped
	// before may have been given to it again.
	for i, e := range r.early {
		if e.st.PID == pid && e.seq > since {
			r.early = slices.Delete(r.early, i, i+1)
			ch <- e.st
			return spawnReply{pid: pid, exited: ch}
		}
	}
	r.waiting[pid] = &exitSink{ch: ch}
	return spawnReply{pid: pid, exited: ch}
}

// settleEarly counts as orphans' the early exits left once no fork is under
// way: every child forked meanwhile has claimed its own. The caller holds mu.
func (r *Reaper) settleEarly() {
	if r.forking > 0 || len(r.early) == 0 {
		return
	}
	r.orphans += len(r.early)
	r.early = r.early[:0]
	r.tellWatchers()
}

// reapAll collects every exited child: one wake-up of the wait loop may stand
// for many exits, so it loops until wait4 has nothing more. It reports whether
// it reaped any.
func (r *Reaper) reapAll() (reaped bool) {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return reaped
		}
		if !ws.Exited() && !ws.Signaled() {
			continue // stopped or continued: not an exit
		}
		reaped = true
		st := exitStatusFrom(pid, ws, time.Now())
		r.mu.Lock()
		r.reaps++
		sink, ok := r.waiting[pid]
		delete(r.waiting, pid)
		switch {
		case !ok:
			r.early = append(r.early, earlyExit{seq: r.reaps, st: st})
			r.settleEarly()
		case sink.fn == nil:
			// Sent holding mu (buffered 1 and used once: never blocks), so that
			// OnExit finds the exit in the channel once the pid is no longer
			// waiting.
			sink.ch <- st
		}
		r.mu.Unlock()
		if ok && sink.fn != nil {
			sink.fn(st)
		}
	}
}
