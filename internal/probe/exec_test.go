package probe

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"svman/internal/proc"
	"svman/internal/testkit"
	"svman/manifest"
)

// here is a Target in a new directory with the tests' PATH and the variables vars.
func here(t *testing.T, vars ...string) Target {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return Target{Dir: dir, Env: append([]string{"PATH=" + os.Getenv("PATH")}, vars...)}
}

func TestExecProbe(t *testing.T) {
	tg := here(t)
	for _, c := range []struct {
		argv []string
		want string // "" for a pass
	}{
		{[]string{"true"}, ""},
		{[]string{"false"}, "false exited with code 1"},
		{[]string{"sh", "-c", "echo 'db unreachable: connection refused'; echo second; exit 3"},
			`sh -c "echo 'db unreachable: connection refused'; echo second; exit 3" exited with code 3: db unreachable: connection refused`},
		{[]string{"sh", "-c", "echo; echo '  \x1b[31mpanic\x1b[0m  ' >&2; exit 2"},
			`sh -c "echo; echo '  \x1b[31mpanic\x1b[0m  ' >&2; exit 2" exited with code 2: [31mpanic [0m`},
		{[]string{"sh", "-c", "printf %0300d 0; exit 1"},
			`sh -c "printf %0300d 0; exit 1" exited with code 1: ` + strings.Repeat("0", maxQuote)},
		{[]string{"sh", "-c", "kill -SEGV $$"}, `sh -c "kill -SEGV $$" was killed by SIGSEGV`},
		{[]string{"./no-such-probe"}, tg.Dir + "/no-such-probe: no such file or directory"},
		{[]string{"no-such-probe"}, "no-such-probe: command not found in PATH"},
	} {
		err := attempt(t, manifest.Probe{Exec: c.argv}, tg, 5*time.Second)
		if got := errString(err); got != c.want {
			t.Errorf("%q: got %q, want %q", c.argv, got, c.want)
		}
	}
}

func TestExecProbeRunsInTheModulesDirWithItsEnvironment(t *testing.T) {
	check := func(tg Target) error {
		script := `test "$X" = y && test "$PWD" = "$1"`
		return attempt(t, manifest.Probe{Exec: []string{"sh", "-c", script, "sh", tg.Dir}}, tg, 5*time.Second)
	}
	if err := check(here(t, "X=y")); err != nil {
		t.Errorf("in its dir with X=y: %v", err)
	}
	if err := check(here(t, "X=n")); err == nil {
		t.Error("with X=n the probe passed")
	}
}

func TestHungExecProbeIsKilled(t *testing.T) {
	sys := &counting{System: testSystem}
	tg := here(t)
	// The leader and a process it left in its group: both must go.
	argv := []string{"sh", "-c", "sleep 60 & exec sleep 60"}
	res := make(chan error, 1)
	go func() {
		res <- Attempt(context.Background(), sys, manifest.Probe{Exec: argv}, tg, 300*time.Millisecond)
	}()
	var err error
	select {
	case err = <-res:
	case <-testkit.Within():
		t.Fatal("the attempt of a hung probe did not return")
	}
	if want := `sh -c "sleep 60 & exec sleep 60": timed out after 300ms`; errString(err) != want {
		t.Errorf("got %q, want %q", errString(err), want)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%v is not a deadline", err)
	}
	pid := sys.pid(0)
	if !gone(pid) {
		t.Errorf("the probe's process %d is still there after its attempt", pid)
	}
	testkit.WaitFor(t, "the probe's process group to be empty", func() bool { return !proc.GroupAlive(pid) })
}

func TestExecProbeLeavesNothingBehind(t *testing.T) {
	sys := &counting{System: testSystem}
	// It passes, leaving a process in its group that holds its output open.
	argv := []string{"sh", "-c", "sleep 60 & echo started"}
	res := make(chan error, 1)
	go func() { res <- Attempt(context.Background(), sys, manifest.Probe{Exec: argv}, here(t), 5*time.Second) }()
	select {
	case err := <-res:
		if err != nil {
			t.Errorf("got %v, want a pass", err)
		}
	case <-testkit.Within():
		t.Fatal("the attempt did not return")
	}
	pid := sys.pid(0)
	testkit.WaitFor(t, "the probe's process group to be empty", func() bool { return !proc.GroupAlive(pid) })
}
