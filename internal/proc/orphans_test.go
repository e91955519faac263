package proc

import (
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"

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
		t.Cleanup(func() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			testkit.WaitFor(t, "the daemon reaped", func() bool { return !Alive(pid) })
		})
	}
	for dir, pid := range daemons {
		if got := s.Escapees(dir); !slices.Equal(got, []int{pid}) {
			t.Errorf("Escapees(%s) = %v; want [%d]", dir, got, pid)
		}
	}
	if got := s.Escapees("/status/c"); len(got) != 0 {
		t.Errorf("Escapees of a directory no process names = %v; want none", got)
	}
}
