package proc

import (
	"errors"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// Reaper is the only code in the process that waits for children. It forks every
// child on one locked OS thread (so PR_SET_PDEATHSIG, which fires when the forking
// thread exits, fires only when svman itself dies), and it collects every exit with
// wait4(-1, WNOHANG) when SIGCHLD arrives, handing each to the channel registered for
// that pid. Exits of pids nobody registered (orphans re-parented to a subreaper svman)
// are reaped and dropped, so no zombie accumulates.
//
// There must be at most one Reaper per process, and nothing else in the process may
// wait for children (os/exec's Wait included): wait4(-1) would take their exits.
type Reaper struct {
	spawns chan spawnRequest
	quit   chan struct{}
	wg     sync.WaitGroup

	// table is the forking thread's own descriptor table (forktable.go), nil if
	// the courier could not be made. passMu keeps each Spawn's files and its
	// request together: the thread takes the files in the order they were passed.
	table  *forkTable
	passMu sync.Mutex
	// forkTID is the forking thread's id, for tests to look at its table.
	forkTID int

	mu      sync.Mutex                // guards waiting, orphans and watchers
	waiting map[int]chan<- ExitStatus // pid -> owner's channel, registered at fork
	orphans int                       // exits of unregistered pids reaped so far
	// watchers are told of every exit of an unregistered pid (orphanwatch.go).
	watchers map[chan<- struct{}]struct{}

	strangers sharedScan // scans for children the reaper did not fork (orphans.go)
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
	reply chan spawnReply
}

type spawnReply struct {
	pid    int
	exited <-chan ExitStatus
	err    error
}

// NewReaper starts the reaper's two goroutines: the spawner, locked to its thread,
// and the SIGCHLD loop. Close stops both.
func NewReaper() *Reaper {
	r := &Reaper{
		spawns:  make(chan spawnRequest),
		quit:    make(chan struct{}),
		waiting: make(map[int]chan<- ExitStatus),
	}
	r.table, _ = newForkTable() // without it, children are forked from the shared table
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, syscall.SIGCHLD)
	r.wg.Add(2)
	isolated := make(chan struct{})
	go r.spawnLoop(isolated)
	go r.reapLoop(sigc)
	<-isolated
	if r.table != nil {
		r.table.closeShared()
	}
	return r
}

// Close stops the reaper. Children still running keep running but are no longer
// reaped; callers stop their children first.
func (r *Reaper) Close() {
	close(r.quit)
	r.wg.Wait()
	if r.table != nil {
		r.table.close()
	}
}

// ErrReaperClosed is returned by Spawn after Close.
var ErrReaperClosed = errors.New("reaper closed")

// Spawn forks and execs spec in a new process group. The returned channel receives
// the child's exit exactly once.
func (r *Reaper) Spawn(spec SpawnSpec) (pid int, exited <-chan ExitStatus, err error) {
	req := spawnRequest{spec: spec, reply: make(chan spawnReply, 1)}
	r.passMu.Lock()
	if r.private() {
		if err := r.table.pass(spec.fds()); err != nil {
			r.passMu.Unlock()
			return 0, nil, err
		}
	}
	select {
	case r.spawns <- req:
	case <-r.quit:
		r.passMu.Unlock()
		return 0, nil, ErrReaperClosed
	}
	r.passMu.Unlock()
	rep := <-req.reply
	return rep.pid, rep.exited, rep.err
}

// Orphans is how many exits of children nobody registered were reaped.
func (r *Reaper) Orphans() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.orphans
}

// spawnLoop owns the locked thread that is the parent of every child. It never
// unlocks: if this goroutine returns, the thread exits, and the kernel delivers each
// child's death signal, which is what must happen only when svman is gone. It
// first gives the thread its own descriptor table (forktable.go), then closes
// isolated.
//
// The thread must not be the main one: /proc/PID/fd, where operators count
// svman's open files, shows the main thread's table. If the goroutine was
// locked to it, it hands the job to a new goroutine, which cannot be scheduled
// on the main thread while this one holds it, and lets the main thread go.
func (r *Reaper) spawnLoop(isolated chan<- struct{}) {
	runtime.LockOSThread()
	if syscall.Gettid() == syscall.Getpid() {
		moved := make(chan struct{})
		go func() {
			runtime.LockOSThread()
			close(moved)
			r.serveSpawns(isolated)
		}()
		<-moved
		runtime.UnlockOSThread()
		return
	}
	r.serveSpawns(isolated)
}

// serveSpawns is spawnLoop on a locked thread that is not the main one.
func (r *Reaper) serveSpawns(isolated chan<- struct{}) {
	defer r.wg.Done()
	if r.table != nil {
		r.table.isolate() // on failure the thread forks from the shared table
	}
	r.forkTID = syscall.Gettid()
	close(isolated)
	for {
		select {
		case req := <-r.spawns:
			req.reply <- r.fork(req.spec)
		case <-r.quit:
			return
		}
	}
}

// private reports whether children are forked from the thread's own table.
func (r *Reaper) private() bool { return r.table != nil && r.table.private }

// fds returns the descriptors spec hands the child: stdin, stdout, stderr and,
// if set, the notification pipe.
func (spec SpawnSpec) fds() []int {
	fds := []int{int(spec.Files[0].Fd()), int(spec.Files[1].Fd()), int(spec.Files[2].Fd())}
	if spec.Notify != nil {
		fds = append(fds, int(spec.Notify.Fd()))
	}
	return fds
}

// fork runs on the locked thread: it forks and execs spec, whose files Spawn has
// passed into the thread's table when it has its own.
func (r *Reaper) fork(spec SpawnSpec) spawnReply {
	fds := spec.fds()
	if r.private() {
		var err error
		if fds, err = r.table.take(len(fds)); err != nil {
			return spawnReply{err: err}
		}
		defer closeAll(fds)
	}
	files := []uintptr{uintptr(fds[0]), uintptr(fds[1]), uintptr(fds[2])}
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
	ch := make(chan ExitStatus, 1)
	// Hold mu across fork and registration: the reap loop takes mu before it looks a
	// pid up, so an exit that races the registration still finds its owner.
	r.mu.Lock()
	defer r.mu.Unlock()
	pid, err := syscall.ForkExec(spec.Path, spec.Argv, attr)
	if err != nil {
		return spawnReply{err: err}
	}
	r.waiting[pid] = ch
	return spawnReply{pid: pid, exited: ch}
}

func (r *Reaper) reapLoop(sigc chan os.Signal) {
	defer r.wg.Done()
	defer signal.Stop(sigc)
	for {
		r.reapAll()
		select {
		case <-sigc:
		case <-r.quit:
			return
		}
	}
}

// reapAll collects every exited child. SIGCHLD is not queued, so one signal may
// stand for many exits: loop until wait4 has nothing more.
func (r *Reaper) reapAll() {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return
		}
		if !ws.Exited() && !ws.Signaled() {
			continue // stopped or continued: not an exit
		}
		st := exitStatusFrom(pid, ws, time.Now())
		r.mu.Lock()
		ch, ok := r.waiting[pid]
		delete(r.waiting, pid)
		if !ok {
			r.orphans++
			r.tellWatchers()
		}
		r.mu.Unlock()
		if ok {
			ch <- st // buffered 1 and used once: never blocks
		}
	}
}
