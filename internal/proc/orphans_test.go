package proc

import (
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"svman/internal/testkit"
)

// Escapees finds each module's processes that left its group and came to the
// subreaper when their parent died, by the status directory their environment
// names: each only for its own directory, and none for a directory no process
// names.
func TestEscapeesByStatusDir(t *testing.T) {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Skipf("cannot become a child subreaper: %v", err)
	}
	t.Cleanup(func() { _ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0) })
	s := newTestSystem(t)
	daemons := map[string]int{}
	for _, dir := range []string{"/status/a", "/status/b"} {
		l := &lines{}
		c, err := s.Start(Spec{
			Dir:  t.TempDir(),
			Argv: []string{"sh", "-c", "setsid sleep 60 </dev/null >/dev/null 2>&1 & echo $!"},
			Env:  []string{"PATH=" + os.Getenv("PATH"), EnvStatusDir + "=" + dir},
		}, l.output())
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-c.Exited: // its daemon is the subreaper's child from now on
		case <-testkit.Within():
			t.Fatalf("the child of %s did not exit", dir)
		}
		testkit.WaitFor(t, "the daemon's pid printed", func() bool { return len(l.stream(0)) > 0 })
		if daemons[dir], err = strconv.Atoi(l.stream(0)[0]); err != nil {
			t.Fatal(err)
		}
		pid := daemons[dir]
		// Until sleep runs, the daemon may be within an exec (setsid's, then
		// sleep's), its environment unreadable.
		testkit.WaitFor(t, "the daemon running sleep", func() bool {
			b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
			return err == nil && string(b) == "sleep\n"
		})
		t.Cleanup(func() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			testkit.WaitFor(t, "the daemon reaped", func() bool { return !Alive(pid) })
		})
	}
	now := time.Now() // the daemons are the subreaper's already
	for dir, pid := range daemons {
		if got := s.Escapees(dir, now); !slices.Equal(got, []int{pid}) {
			t.Errorf("Escapees(%s) = %v; want [%d]", dir, got, pid)
		}
	}
	if got := s.Escapees("/status/c", now); len(got) != 0 {
		t.Errorf("Escapees of a directory no process names = %v; want none", got)
	}
}

// A scan is shared by every caller it is recent enough for: one that began at
// or after the time a caller gives is its answer, without a scan of its own;
// a caller that needs a later one gets a new scan.
func TestSharedScanServesWhoItIsRecentEnoughFor(t *testing.T) {
	var c sharedScan
	scans := 0 // written by the scanning goroutine before done is closed
	release := make(chan struct{})
	scan := func() strangers {
		scans++
		<-release
		return strangers{"/d": {scans}}
	}
	nth := func(r strangers) int { return r["/d"][0] }
	before := time.Now()
	a, b, later := make(chan strangers, 1), make(chan strangers, 1), make(chan strangers, 1)
	go func() { a <- c.get(before, scan) }()
	testkit.WaitFor(t, "the first scan running", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.running
	})
	go func() { b <- c.get(before, scan) }() // the running scan, or the next: never one of its own
	since := time.Now()                      // after the first scan began
	go func() { later <- c.get(since, scan) }()
	testkit.WaitFor(t, "a caller waiting for the next scan", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.next != nil
	})
	close(release)
	if got := nth(<-a); got != 1 {
		t.Errorf("the first caller got scan %d, want 1", got)
	}
	if got := nth(<-later); got != 2 {
		t.Errorf("the caller the first scan began too early for got scan %d, want 2", got)
	}
	<-b
	if r := c.get(before, scan); nth(r) != 2 || scans != 2 {
		t.Errorf("a caller the last scan is recent enough for got scan %d, after %d scans; want 2 of 2", nth(r), scans)
	}
}
