package proc

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"

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

// markedWith reports whether pid's initial environment names status directory dir.
func markedWith(pid int, dir string) bool {
	b, err := readProcFile("/proc/"+strconv.Itoa(pid)+"/environ", nil)
	if err != nil {
		return false
	}
	want := []byte(EnvStatusDir + "=" + dir)
	for _, kv := range bytes.Split(b, []byte{0}) {
		if bytes.Equal(kv, want) {
			return true
		}
	}
	return false
}

// Escapees are the children of svman that the reaper did not fork (orphans that
// svman, a child subreaper, inherited: daemons that detached from a module) and
// that belong to status directory dir.
func (r *Reaper) Escapees(dir string) []int {
	var out []int
	for _, pid := range r.strangers.get(r.unknownChildren) {
		if markedWith(pid, dir) {
			out = append(out, pid)
		}
	}
	return out
}

// unknownChildren lists svman's children that the reaper did not fork.
func (r *Reaper) unknownChildren() []int {
	children := r.children()
	unknown := children[:0]
	r.mu.Lock()
	for _, pid := range children {
		if _, known := r.waiting[pid]; !known {
			unknown = append(unknown, pid)
		}
	}
	r.mu.Unlock()
	return unknown
}

// sharedScan lets concurrent callers share scans of /proc: each caller gets the
// result of a scan that began after it asked (so nothing it must see is missed),
// but callers who ask while a scan runs share the next one, so modules that all
// scan at once (at shutdown) cost a few scans, not one each.
type sharedScan struct {
	mu      sync.Mutex
	running bool
	next    *scanResult // for callers waiting for a scan that starts after they asked
}

type scanResult struct {
	done chan struct{}
	pids []int // read-only once done is closed
}

// get returns scan's result, from a scan that began after get was called.
func (c *sharedScan) get(scan func() []int) []int {
	c.mu.Lock()
	if c.running {
		res := c.next
		if res == nil {
			res = &scanResult{done: make(chan struct{})}
			c.next = res
		}
		c.mu.Unlock()
		<-res.done
		return res.pids
	}
	c.running = true
	c.mu.Unlock()
	pids := scan()
	// Callers who came during the scan need a newer one: this caller runs it for
	// them, and so on until nobody waits.
	for {
		c.mu.Lock()
		res := c.next
		c.next = nil
		if res == nil {
			c.running = false
			c.mu.Unlock()
			return pids
		}
		c.mu.Unlock()
		res.pids = scan()
		close(res.done)
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
	b, err := readProcFile("/proc/self/task/"+strconv.Itoa(tid)+"/children", nil)
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
	prefix := []byte(EnvStatusDir + "=")
	var buf []byte
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		b, err := readProcFile("/proc/"+e.Name()+"/environ", buf[:0])
		buf = b
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(b, []byte{0}) {
			if d, ok := bytes.CutPrefix(kv, prefix); ok && dirs[string(d)] {
				out[string(d)] = append(out[string(d)], pid)
				break
			}
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
