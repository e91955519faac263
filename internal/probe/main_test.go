package probe

import (
	"os"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"svman/internal/proc"
)

// testSystem is the one System of this test process, over its one reaper:
// wait4(-1) is process-wide.
var testSystem *proc.System

// TestMain runs the tests as svman runs: a subreaper whose one reaper forks
// and reaps every child.
func TestMain(m *testing.M) {
	_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	r := proc.NewReaper()
	sys, err := proc.NewSystem(r)
	if err != nil {
		panic(err)
	}
	testSystem = sys
	code := m.Run()
	sys.Close()
	r.Close()
	os.Exit(code)
}

// counting is the real System, counting the exec probes started and still
// running, the most that ran at once, and their pids.
type counting struct {
	*proc.System
	mu      sync.Mutex // guards the fields below
	running int
	peak    int
	pids    []int
}

func (c *counting) Start(spec proc.Spec, out proc.Output) (proc.Child, error) {
	ch, err := c.System.Start(spec, out)
	if err != nil {
		return ch, err
	}
	c.mu.Lock()
	c.running++
	c.peak = max(c.peak, c.running)
	c.pids = append(c.pids, ch.PID)
	c.mu.Unlock()
	exited := make(chan proc.ExitStatus, 1)
	go func(real <-chan proc.ExitStatus) {
		st := <-real
		c.mu.Lock()
		c.running--
		c.mu.Unlock()
		exited <- st
	}(ch.Exited)
	ch.Exited = exited
	return ch, nil
}

// now returns the number of probes running, the most that ran at once and
// how many were started.
func (c *counting) now() (running, peak, started int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.running, c.peak, len(c.pids)
}

func (c *counting) pid(i int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pids[i]
}

// gone reports whether process pid no longer exists (exited and reaped).
func gone(pid int) bool { return syscall.Kill(pid, 0) == syscall.ESRCH }
