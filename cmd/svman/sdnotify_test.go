package main

import (
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"svman/engine"
	"svman/internal/sdnotify"
	"svman/internal/testkit"
)

// managerSocket is a notify socket standing for systemd's: the test reads what
// svman tells its service manager from it.
func managerSocket(t *testing.T) (string, <-chan sdnotify.Message) {
	t.Helper()
	msgs := make(chan sdnotify.Message, 256)
	s, err := sdnotify.Listen(func(m sdnotify.Message) {
		select {
		case msgs <- m:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s.Addr(), msgs
}

// nextMessage is the next message on msgs that matches, skipping others.
func nextMessage(t *testing.T, msgs <-chan sdnotify.Message, what string, match func(sdnotify.Message) bool) sdnotify.Message {
	t.Helper()
	for {
		select {
		case m := <-msgs:
			if match(m) {
				return m
			}
		case <-testkit.Within():
			t.Fatalf("the service manager was not told %s", what)
		}
	}
}

func TestReadinessStatus(t *testing.T) {
	for _, tc := range []struct {
		r    engine.Readiness
		want string
	}{
		{engine.Readiness{Modules: 12, Ready: 11, Starting: 1}, "12 modules: 11 ready, 1 starting"},
		{engine.Readiness{Modules: 1, Ready: 1, AllReady: true}, "1 module: 1 ready"},
		{engine.Readiness{Modules: 0, AllReady: true}, "0 modules: 0 ready"},
		{engine.Readiness{Modules: 9, Ready: 2, Starting: 1, Waiting: 3, Down: 2, Failed: 1}, "9 modules: 2 ready, 1 starting, 3 waiting, 2 down, 1 failed"},
	} {
		if got := readinessStatus(tc.r); got != tc.want {
			t.Errorf("readinessStatus(%+v) = %q, want %q", tc.r, got, tc.want)
		}
	}
}

// The notifier sends each report as STATUS=, READY=1 with the first in which
// every module is ready, STOPPING=1 when the stop begins, and no READY=1 after.
func TestSelfNotifierSequence(t *testing.T) {
	addr, msgs := managerSocket(t)
	t.Setenv("NOTIFY_SOCKET", addr)
	t.Setenv("WATCHDOG_USEC", "1000000")
	n := newSelfNotifier(func(format string, args ...any) { t.Errorf(format, args...) })
	if n == nil {
		t.Fatal("no notifier with NOTIFY_SOCKET set")
	}
	for _, k := range []string{"NOTIFY_SOCKET", "WATCHDOG_USEC"} {
		if v, ok := syscall.Getenv(k); ok {
			t.Errorf("%s=%s is still in svman's environment, for its children to inherit", k, v)
		}
	}
	stopping, quit, ended := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() { n.run(stopping, quit); close(ended) }()
	defer func() { close(quit); <-ended }()

	expect := func(r engine.Readiness, want sdnotify.Message) {
		t.Helper()
		if r != (engine.Readiness{}) {
			n.report(r)
		}
		m := nextMessage(t, msgs, fmt.Sprintf("%+v", want), func(sdnotify.Message) bool { return true })
		m.PID, m.UID = 0, 0
		if m != want {
			t.Errorf("told the service manager %+v, want %+v", m, want)
		}
	}
	expect(engine.Readiness{Modules: 2, Starting: 2}, sdnotify.Message{Status: "2 modules: 0 ready, 2 starting", HasStatus: true})
	expect(engine.Readiness{Modules: 2, Ready: 2, AllReady: true}, sdnotify.Message{Ready: true, Status: "2 modules: 2 ready", HasStatus: true})
	expect(engine.Readiness{Modules: 2, Ready: 1, Starting: 1}, sdnotify.Message{Status: "2 modules: 1 ready, 1 starting", HasStatus: true})
	expect(engine.Readiness{Modules: 2, Ready: 2, AllReady: true}, sdnotify.Message{Status: "2 modules: 2 ready", HasStatus: true})
	close(stopping)
	expect(engine.Readiness{}, sdnotify.Message{Stopping: true, Status: "stopping every module", HasStatus: true})
	expect(engine.Readiness{Modules: 2, Ready: 1, Down: 1}, sdnotify.Message{Status: "stopping; 2 modules: 1 ready, 1 down", HasStatus: true})
}

// svman up under a service manager: STOPPING=1, from svman's own pid, when a
// TERM begins the stop, and its modules never see its NOTIFY_SOCKET.
func TestUpTellsItsServiceManagerItStops(t *testing.T) {
	addr, msgs := managerSocket(t)
	p := newProject(t, helperModule("a", "sleeper")+helperModule("b", "sleeper"))
	out := &syncBuffer{}
	s := p.startCmd(out, func(cmd *exec.Cmd) {
		cmd.Stdout, cmd.Stderr = out, out
		cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+addr, "LISTEN_FDS=1")
	}, nil, "up", "-f", p.manifestPath())
	s.waitOutput(`supervising 2 modules`)
	for _, name := range []string{"a", "b"} {
		pid := p.waitPID(name, 0)
		if hasEnv(pid, "NOTIFY_SOCKET="+addr) || hasEnv(pid, "LISTEN_FDS=1") {
			t.Errorf("module %s runs with svman's own NOTIFY_SOCKET or LISTEN_FDS", name)
		}
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	m := nextMessage(t, msgs, "STOPPING=1", func(m sdnotify.Message) bool { return m.Stopping })
	if m.PID != s.cmd.Process.Pid {
		t.Errorf("STOPPING=1 came from pid %d, want svman's, %d (systemd's NotifyAccess=main)", m.PID, s.cmd.Process.Pid)
	}
	if code := s.wait(); code != 0 {
		t.Errorf("svman exited %d after TERM, want 0; output:\n%s", code, out)
	}
}

// svman up under a service manager: READY=1 once both modules are ready, then
// STOPPING=1 after TERM, both from svman's own pid.
func TestUpTellsItsServiceManagerItIsReady(t *testing.T) {
	addr, msgs := managerSocket(t)
	p := newProject(t, helperModule("a", "sleeper")+helperModule("b", "sleeper"))
	out := &syncBuffer{}
	s := p.startCmd(out, func(cmd *exec.Cmd) {
		cmd.Stdout, cmd.Stderr = out, out
		cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+addr)
	}, nil, "up", "-f", p.manifestPath())
	m := nextMessage(t, msgs, "READY=1", func(m sdnotify.Message) bool { return m.Ready })
	if m.PID != s.cmd.Process.Pid || !strings.HasPrefix(m.Status, "2 modules: 2 ready") {
		t.Errorf("READY=1 from pid %d with STATUS=%q; want svman's pid %d and 2 modules ready", m.PID, m.Status, s.cmd.Process.Pid)
	}
	for _, name := range []string{"a", "b"} {
		if st := p.status(name); st.PID == 0 || !pidAlive(st.PID) {
			t.Errorf("READY=1 came before module %s runs", name)
		}
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	m = nextMessage(t, msgs, "STOPPING=1", func(m sdnotify.Message) bool { return m.Stopping || m.Ready })
	if !m.Stopping || m.PID != s.cmd.Process.Pid {
		t.Errorf("after TERM svman told the service manager %+v, want STOPPING=1 from pid %d", m, s.cmd.Process.Pid)
	}
	if code := s.wait(); code != 0 {
		t.Errorf("svman exited %d after TERM, want 0; output:\n%s", code, out)
	}
}
