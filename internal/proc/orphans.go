package proc

import (
	"bytes"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The variables every module's child gets, so that it knows its name and status
// directory, and so that svman can recognise the processes a module started even
// after they left its process group (setsid) and its parent died: the environment
// is inherited by everything the module forks.
const (
	EnvModule    = "SVMAN_MODULE"
	EnvStatusDir = "SVMAN_STATUS_DIR"
)

// Escapees are the children of svman that the reaper did not fork (orphans that
// svman, a child subreaper, inherited: daemons that detached from a module) and
// that belong to status directory dir, as a scan of /proc begun at or after
// since finds them: the caller says how recent a scan must be to see what it
// looks for (begun after the death that made them svman's, say).
func (r *Reaper) Escapees(dir string, since time.Time) []int {
	return slices.Clone(r.strangers.get(since, r.scanStrangers)[dir])
}

// strangers are svman's children that the reaper did not fork, by the status
// directory their environment names (EnvStatusDir); those that name none are
// left out.
type strangers map[string][]int

// scanStrangers lists svman's children that the reaper did not fork, reading
// the environment of each once: every module that asks shares the answer.
func (r *Reaper) scanStrangers() strangers {
	children := r.children()
	unknown := children[:0]
	r.mu.Lock()
	for _, pid := range children {
		if _, known := r.waiting[pid]; !known {
			unknown = append(unknown, pid)
		}
	}
	r.mu.Unlock()
	var out strangers
	var buf []byte
	for _, pid := range unknown {
		// A child reaped since children read it is unknown by now too: its
		// environment is gone, and it is left out with those that name no directory.
		var dir string
		dir, buf = markOf(pid, buf[:0])
		if dir == "" {
			continue
		}
		if out == nil {
			out = strangers{}
		}
		out[dir] = append(out[dir], pid)
	}
	return out
}

// markOf returns the status directory that pid's initial environment names
// (EnvStatusDir), or "", reading it into buf, which it returns for reuse.
func markOf(pid int, buf []byte) (string, []byte) {
	b, err := readProcFile("/proc/"+strconv.Itoa(pid)+"/environ", buf)
	if err != nil {
		return "", b
	}
	prefix := []byte(EnvStatusDir + "=")
	for kv := range bytes.SplitSeq(b, []byte{0}) {
		if dir, ok := bytes.CutPrefix(kv, prefix); ok {
			return string(dir), b
		}
	}
	return "", b
}

// sharedScan lets concurrent callers share scans of /proc. Each caller gets the
// result of a scan that began at or after the time it gives: the latest scan
// if it did (waiting for it to end if it runs), else a new one, which the
// callers who come while it runs share too (at shutdown every module asks,
// and most find a scan recent enough for them).
type sharedScan struct {
	mu      sync.Mutex
	last    *scanResult // the latest scan begun, running or done; nil before the first
	running bool
	next    *scanResult // for callers waiting for a scan to begin after the one running
}

type scanResult struct {
	began time.Time     // set under mu when the scan begins
	done  chan struct{} // closed once got is set
	got   strangers     // read-only once done is closed
}

// get returns scan's result, from a scan that began at or after since.
func (c *sharedScan) get(since time.Time, scan func() strangers) strangers {
	c.mu.Lock()
	if l := c.last; l != nil && !l.began.Before(since) {
		c.mu.Unlock()
		<-l.done
		return l.got
	}
	if c.running {
		res := c.next
		if res == nil {
			res = &scanResult{done: make(chan struct{})}
			c.next = res
		}
		c.mu.Unlock()
		<-res.done
		return res.got
	}
	res := &scanResult{began: time.Now(), done: make(chan struct{})}
	c.last, c.running = res, true
	c.mu.Unlock()
	c.run(res, scan)
	return res.got
}

// run runs scan into res, then the scans that callers who came meanwhile wait
// for, one after the other, until nobody waits.
func (c *sharedScan) run(res *scanResult, scan func() strangers) {
	for res != nil {
		res.got = scan()
		close(res.done)
		c.mu.Lock()
		res, c.next = c.next, nil
		if res == nil {
			c.running = false
		} else {
			res.began = time.Now()
			c.last = res
		}
		c.mu.Unlock()
	}
}

// children lists svman's children as Children does, reading only the threads
// that can have any: it runs on every exit, before the restart, and svman has
// a dozen threads. A child belongs to the thread that forked it (every child
// the reaper forks, to a forker) or that inherited it, and the kernel hands an
// orphan, or the children of a thread that exited, to the first live thread
// of the process: the main thread, which never exits.
func (r *Reaper) children() []int {
	out := childrenOf(syscall.Getpid(), nil)
	for _, f := range r.forkers {
		out = childrenOf(f.tid, out)
	}
	return out
}

// Children lists svman's children, from each thread's children file (a child
// belongs to the thread that forked it, or that inherited it). It runs on every
// exit, before the restart: it reads the thread list once and each children file
// directly (a glob would list every thread's directory too).
func Children() []int {
	tasks, _ := os.ReadDir("/proc/self/task")
	var out []int
	for _, t := range tasks {
		if tid, err := strconv.Atoi(t.Name()); err == nil {
			out = childrenOf(tid, out)
		}
	}
	return out
}

// childrenOf appends the children of thread tid of this process to out.
func childrenOf(tid int, out []int) []int {
	// Most lists in one read: a list read in pieces may skip a child that
	// exits meanwhile.
	b, err := readProcFile("/proc/self/task/"+strconv.Itoa(tid)+"/children", make([]byte, 0, 4096))
	if err != nil {
		return out
	}
	for _, field := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(field); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// MarkedProcesses scans every process once and returns, for each of dirs, the
// pids whose environment names it: what a previous svman, killed without a chance
// to stop them, left running.
func MarkedProcesses(dirs map[string]bool) map[string][]int {
	out := map[string][]int{}
	entries, _ := os.ReadDir("/proc")
	self := os.Getpid()
	var buf []byte
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		var dir string
		if dir, buf = markOf(pid, buf[:0]); dir != "" && dirs[dir] {
			out[dir] = append(out[dir], pid)
		}
	}
	return out
}

// readProcFile appends the contents of a file of /proc to buf. It makes the
// calls directly, without registering the file with the runtime poller: it is
// on the way from a module's exit to its restart (Children reads one file per
// thread of svman), and MarkedProcesses reads one per process on the machine.
func readProcFile(path string, buf []byte) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return buf, err
	}
	defer unix.Close(fd)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return buf, err
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}
