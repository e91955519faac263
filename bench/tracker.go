package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// tracker follows the modules of one run through the proc connector: which process
// runs module i now, and when it exec'd. A module's process is recognised by its
// command line alone (see moduleArgv), so every peer is measured the same way,
// whatever shell or wrapper it puts in between.
type tracker struct {
	base, n int // modules carry markers base .. base+n-1

	mu      sync.Mutex
	changed chan struct{} // closed and replaced at every change
	pid     []int         // module i's current process, 0 before its first exec
	execAt  []int64       // when it exec'd (monotonic ns)
	started int           // modules that have exec'd at least once
	module  map[int]int   // pid → module, for every module process seen
	exitAt  map[int]int64 // pid → when it exited, for every exit seen
	gone    bool          // the tool's own process has exited
}

// toolExited notes that the tool's process has exited.
func (t *tracker) toolExited() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.gone = true
	t.notify()
}

func newTracker(base, n int) *tracker {
	return &tracker{
		base: base, n: n, changed: make(chan struct{}),
		pid: make([]int, n), execAt: make([]int64, n),
		module: make(map[int]int), exitAt: make(map[int]int64),
	}
}

// handle is the proc connector's callback.
func (t *tracker) handle(ev procEvent) {
	if !ev.exec {
		t.mu.Lock()
		t.exitAt[ev.pid] = ev.at
		t.notify()
		t.mu.Unlock()
		return
	}
	i, ok := t.markerOf(ev.pid)
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pid[i] == 0 {
		t.started++
	}
	t.pid[i], t.execAt[i] = ev.pid, ev.at
	t.module[ev.pid] = i
	t.notify()
}

func (t *tracker) notify() {
	close(t.changed)
	t.changed = make(chan struct{})
}

// markerOf reads a process's command line and says which module it runs, if any.
func (t *tracker) markerOf(pid int) (int, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return 0, false
	}
	return parseMarker(b, t.base, t.n)
}

// parseMarker finds the module of a /proc/PID/cmdline: "sleep MARKER", or the
// emitter's "... emit MARKER ...", the pacer's "... pace MARKER ..." or the
// listener's "... listen MARKER ...".
func parseMarker(cmdline []byte, base, n int) (int, bool) {
	args := bytes.Split(bytes.TrimRight(cmdline, "\x00"), []byte{0})
	if len(args) < 2 {
		return 0, false
	}
	at := -1
	switch {
	case filepath.Base(string(args[0])) == "sleep":
		at = 1
	default:
		for j, a := range args[:len(args)-1] {
			if string(a) == "emit" || string(a) == "pace" || string(a) == "listen" {
				at = j + 1
			}
		}
	}
	if at < 0 {
		return 0, false
	}
	m, err := strconv.Atoi(string(args[at]))
	if err != nil || m < base || m >= base+n {
		return 0, false
	}
	return m - base, true
}

// wait blocks until cond holds (checked under the lock at every change) or the
// deadline passes, and says which.
func (t *tracker) wait(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		t.mu.Lock()
		ok, ch := cond(), t.changed
		t.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.mu.Lock()
			ok = cond()
			t.mu.Unlock()
			return ok
		}
	}
}

// current is module i's process and when it exec'd.
func (t *tracker) current(i int) (int, int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pid[i], t.execAt[i]
}

// modulePids is every module process seen that has not exited.
func (t *tracker) modulePids() []int {
	t.mu.Lock()
	defer t.mu.Unlock()
	var pids []int
	for pid := range t.module {
		if _, gone := t.exitAt[pid]; !gone {
			pids = append(pids, pid)
		}
	}
	return pids
}

// isModule says whether pid ran a module.
func (t *tracker) isModule(pid int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.module[pid]
	return ok
}

// allExited waits until every pid has exited; it returns the last exit.
func (t *tracker) allExited(pids []int, timeout time.Duration) (int64, bool) {
	var last int64
	ok := t.wait(timeout, func() bool {
		last = 0
		for _, pid := range pids {
			at, gone := t.exitAt[pid]
			if !gone {
				return false
			}
			last = max(last, at)
		}
		return true
	})
	return last, ok
}

// lastExec is when the module that exec'd last did.
func (t *tracker) lastExec() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var last int64
	for _, at := range t.execAt {
		last = max(last, at)
	}
	return last
}
