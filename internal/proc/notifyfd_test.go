package proc

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"

	"svman/internal/testkit"
	"svman/logmux"
)

// lines collects the lines a child writes, per stream.
type lines struct {
	mu  sync.Mutex
	got [2][]string
}

func (l *lines) output() Output {
	var out Output
	for i := range out.Streams {
		out.Streams[i] = Sink{
			Emit: func(line []byte, _ logmux.End) {
				l.mu.Lock()
				defer l.mu.Unlock()
				l.got[i] = append(l.got[i], string(line))
			},
			Flush: func() {},
		}
	}
	return out
}

func (l *lines) stream(i int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.got[i]...)
}

// newTestSystem is a System with a reaper of its own, closed at the test's end:
// at most one reaper may run in the process, and none while other tests wait
// for their children.
func newTestSystem(t *testing.T) *System {
	t.Helper()
	r := NewReaper()
	s, err := NewSystem(r)
	if err != nil {
		r.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); r.Close() })
	return s
}

// startShell starts sh -c script with its notification fd at fd, and kills
// and reaps it at the test's end.
func startShell(t *testing.T, s *System, fd int, l *lines, script string) Child {
	t.Helper()
	return startSpec(t, s, Spec{Argv: []string{"sh", "-c", script}, NotifyFD: fd}, l)
}

func startSpec(t *testing.T, s *System, spec Spec, l *lines) Child {
	t.Helper()
	spec.Dir = t.TempDir()
	spec.Env = []string{"PATH=" + os.Getenv("PATH")}
	c, err := s.Start(spec, l.output())
	if err != nil {
		t.Fatal(err)
	}
	exited := make(chan ExitStatus, 1)
	reaped := make(chan struct{})
	go func(first <-chan ExitStatus) {
		exited <- <-first
		close(reaped)
	}(c.Exited)
	c.Exited = exited
	t.Cleanup(func() {
		SignalGroup(c.PID, syscall.SIGKILL)
		select {
		case <-reaped:
		case <-testkit.Within():
			t.Errorf("child %d not reaped", c.PID)
		}
	})
	return c
}

func waitNotified(t *testing.T, c Child) {
	t.Helper()
	select {
	case <-c.Notified:
	case <-testkit.Within():
		t.Fatal("the child wrote a newline to its notification fd, but Notified is not closed")
	}
}

func TestNotifyFDNewlineClosesNotified(t *testing.T) {
	s := newTestSystem(t)
	c := startShell(t, s, 3, &lines{}, "echo >&3; exec sleep 60")
	waitNotified(t, c)
	if !Alive(c.PID) {
		t.Error("the child is gone after notifying; it should still run")
	}
}

// A child that exits without writing a newline is never notified, and the
// notification pipe's read end is closed once it has gone: nothing is left
// reading for it.
func TestNotifyFDExitWithoutNewline(t *testing.T) {
	s := newTestSystem(t)
	l := &lines{}
	c := startShell(t, s, 3, l, "printf half-a-line >&3; readlink /proc/$$/fd/3")
	select {
	case <-c.Exited:
	case <-testkit.Within():
		t.Fatal("the child did not exit")
	}
	testkit.WaitFor(t, "the child's readlink of fd 3", func() bool { return len(l.stream(0)) == 1 })
	pipe := l.stream(0)[0]
	if !regexp.MustCompile(`^pipe:\[\d+\]$`).MatchString(pipe) {
		t.Fatalf("the child's fd 3 is %q, want a pipe", pipe)
	}
	testkit.WaitFor(t, "svman to close its end of "+pipe, func() bool { return !holdsFile(t, pipe) })
	select {
	case <-c.Notified:
		t.Error("Notified is closed, but the child never wrote a newline")
	default:
	}
}

// The notification fd may be any descriptor from 3 up; the child's standard
// descriptors stay what they are, and the ones below its notification fd are
// not open.
func TestNotifyFDAtFiveKeepsStandardDescriptors(t *testing.T) {
	s := newTestSystem(t)
	l := &lines{}
	c := startShell(t, s, 5, l, `
		for fd in 0 3 4; do printf "fd $fd: "; readlink /proc/$$/fd/$fd 2>/dev/null || echo closed; done
		echo to-stderr >&2
		echo >&5
		exec sleep 60`)
	waitNotified(t, c)
	testkit.WaitFor(t, "the child's lines", func() bool { return len(l.stream(0)) == 3 && len(l.stream(1)) == 1 })
	want := []string{"fd 0: /dev/null", "fd 3: closed", "fd 4: closed"}
	if got := l.stream(0); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the child's stdout = %q, want %q", got, want)
	}
	if got := l.stream(1); got[0] != "to-stderr" {
		t.Errorf("the child's stderr = %q, want [to-stderr]", got)
	}
}

// Under the exec wrapper (a umask or limits to apply), the program still gets
// its notification fd.
func TestNotifyFDThroughTheExecWrapper(t *testing.T) {
	s := newTestSystem(t)
	umask := uint32(0o27)
	l := &lines{}
	c := startSpec(t, s, Spec{
		Argv:     []string{"sh", "-c", "umask; echo >&4; exec sleep 60"},
		Umask:    &umask,
		NotifyFD: 4,
	}, l)
	waitNotified(t, c)
	testkit.WaitFor(t, "the child's umask", func() bool { return len(l.stream(0)) == 1 })
	if got := l.stream(0)[0]; got != "0027" {
		t.Errorf("the child's umask = %q, want 0027: it did not run under the wrapper", got)
	}
}

func TestNotifyFDOutOfRange(t *testing.T) {
	s := newTestSystem(t)
	for _, fd := range []int{1, 2, -1, maxNotifyFD + 1} {
		_, err := s.Start(Spec{Dir: t.TempDir(), Argv: []string{"true"}, Env: []string{"PATH=" + os.Getenv("PATH")}, NotifyFD: fd}, (&lines{}).output())
		if err == nil || !strings.Contains(err.Error(), "notification fd") {
			t.Errorf("NotifyFD %d: error %v, want one about the notification fd", fd, err)
		}
	}
}

// holdsFile reports whether this process has a descriptor open on link (as
// /proc/self/fd shows it: "pipe:[123]").
func holdsFile(t *testing.T, link string) bool {
	t.Helper()
	fds, err := filepath.Glob("/proc/self/fd/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		if got, err := os.Readlink(fd); err == nil && got == link {
			return true
		}
	}
	return false
}
