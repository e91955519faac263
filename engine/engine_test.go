package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"svman/internal/proc"
	"svman/internal/testkit"
	"svman/logmux"
	"svman/manifest"
	"svman/statusfs"
)

// testReaper is the one reaper of this test process: wait4(-1) is process-wide.
var testReaper *proc.Reaper

// TestMain runs the exec wrapper or a testkit role when the engine starts the
// test binary as one, and otherwise the tests, as a subreaper with one reaper.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == proc.WrapperArg {
		os.Exit(proc.WrapperMain(os.Args[2:])) // the exec wrapper, as svman's main does
	}
	testkit.RunRole()
	// As svman does: what a module's main process leaves behind comes to it.
	_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	testReaper = proc.NewReaper()
	code := m.Run()
	testReaper.Close()
	os.Exit(code)
}

// lines is an Output that keeps every line.
type lines struct {
	mu  sync.Mutex
	all []string
}

func (l *lines) Add(string) {}
func (*lines) Pace(string)  {}

func (l *lines) WriteLines(name string, _ logmux.Stream, _ time.Time, batch *logmux.Batch) {
	l.mu.Lock()
	defer l.mu.Unlock()
	batch.Each(func(line []byte, _ bool) { l.all = append(l.all, name+": "+string(line)) })
}
func (l *lines) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.all {
		if x == s {
			return true
		}
	}
	return false
}

// events records every event for assertions.
type events struct {
	mu  sync.Mutex
	all []Event
}

func (e *events) add(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) count(module string, k Kind) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.all {
		if ev.Module == module && ev.Kind == k {
			n++
		}
	}
	return n
}

func (e *events) find(module string, k Kind) []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Event
	for _, ev := range e.all {
		if ev.Module == module && ev.Kind == k {
			out = append(out, ev)
		}
	}
	return out
}

type harness struct {
	t      *testing.T
	ready  sync.Mutex
	last   Readiness // the engine's last readiness report
	cfg    Config
	e      *Engine
	out    *lines
	ev     *events
	status string
	cancel context.CancelFunc
	done   chan struct{}
}

func newHarness(t *testing.T, edit ...func(*Config)) *harness {
	h := &harness{t: t, out: &lines{}, ev: &events{}, status: t.TempDir(), done: make(chan struct{})}
	h.cfg = Config{Reaper: testReaper, Output: h.out, Events: h.ev.add, Readiness: h.setReadiness}
	for _, e := range edit {
		e(&h.cfg)
	}
	e, err := New(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.e = e
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() {
		h.e.Run(ctx)
		close(h.done)
	}()
	t.Cleanup(h.shutdown)
	return h
}

func (h *harness) setReadiness(r Readiness) {
	h.ready.Lock()
	defer h.ready.Unlock()
	h.last = r
}

func (h *harness) readiness() Readiness {
	h.ready.Lock()
	defer h.ready.Unlock()
	return h.last
}

func (h *harness) shutdown() {
	h.cancel()
	select {
	case <-h.done:
	case <-testkit.Within():
		pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		h.t.Fatal("engine did not stop")
	}
}

// module runs the test binary as the testkit role named role, with env added to
// its environment; the "showenv" role prints VALUE.
func (h *harness) module(name, role string, env map[string]string) manifest.Module {
	exe, _ := os.Executable()
	e := map[string]string{testkit.RoleEnv: role, testkit.PrintEnv: "VALUE"}
	for k, v := range env {
		e[k] = v
	}
	return manifest.Module{
		Name: name, Command: []string{exe}, Dir: h.status, Env: e, Autostart: true,
		StopSignal: syscall.SIGTERM, StopTimeout: 5 * time.Second,
		Restart: manifest.Restart{Policy: manifest.RestartAlways, ExitCodes: []int{0}, MinUptime: time.Minute},
	}
}

// shModule runs a shell script, for children whose whole life is one line.
func (h *harness) shModule(name, script string) manifest.Module {
	m := h.module(name, "", nil)
	m.Command = []string{"/bin/sh", "-c", script}
	m.Env = nil
	return m
}

func (h *harness) apply(mods ...manifest.Module) Plan {
	h.t.Helper()
	plan, err := h.e.Apply(&manifest.Manifest{StatusDir: h.status, Modules: mods})
	if err != nil {
		h.t.Fatal(err)
	}
	return plan
}

func (h *harness) pid(name string) int {
	st, err := statusfs.ReadStatus(filepath.Join(h.status, name))
	if err != nil {
		return 0
	}
	return st.PID
}

func (h *harness) waitUp(name string) int {
	h.t.Helper()
	testkit.WaitFor(h.t, name+" up", func() bool { return h.pid(name) != 0 })
	return h.pid(name)
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// hasEnv reports whether process pid runs with the variable kv ("NAME=value").
func hasEnv(pid int, kv string) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	return err == nil && strings.Contains("\x00"+string(b), "\x00"+kv+"\x00")
}

// Applying a changed manifest restarts only the changed module; the others keep
// their pids; a removed module is stopped and its directory released.
func TestApplyTouchesOnlyWhatChanged(t *testing.T) {
	h := newHarness(t)
	a, b, c := h.module("a", "showenv", nil), h.module("b", "showenv", map[string]string{"VALUE": "one"}), h.module("c", "showenv", nil)
	h.apply(a, b, c)
	pa, pb, pc := h.waitUp("a"), h.waitUp("b"), h.waitUp("c")
	testkit.WaitFor(t, "b's first env", func() bool { return h.out.has("b: VALUE=one") })

	b2 := h.module("b", "showenv", map[string]string{"VALUE": "two"})
	a2 := a
	a2.Restart.Delay = time.Minute
	plan := h.apply(a2, b2)
	if got := plan.String(); got != "+0 -1 ~2 (0 unchanged): -c ~b (env (VALUE)) ~a (in place: restart)" {
		t.Errorf("plan = %q", got)
	}
	testkit.WaitFor(t, "b restarted with the new env", func() bool { return h.out.has("b: VALUE=two") })
	// The new child prints as soon as it runs, but the status file names it only
	// once the step that forked it ends: wait for the status itself.
	testkit.WaitFor(t, "b's status to name a new child, with the new env", func() bool {
		pid := h.pid("b")
		return pid != pb && hasEnv(pid, "VALUE=two")
	})
	// a's new policy is in force once its module.json says so; a restart would
	// have stopped pa before that.
	testkit.WaitFor(t, "a's new policy applied", func() bool {
		m, err := statusfs.ReadApplied(filepath.Join(h.status, "a"))
		return err == nil && m.Restart.Delay == time.Minute
	})
	if h.pid("a") != pa || !alive(pa) {
		t.Error("a restarted on a policy-only change")
	}
	testkit.WaitFor(t, "c's child gone and its directory released", func() bool {
		return !alive(pc) && !statusfs.Supervised(filepath.Join(h.status, "c"))
	})
	if st, _ := statusfs.ReadStatus(filepath.Join(h.status, "c")); st.PID != 0 || st.Want != statusfs.WantDown {
		t.Errorf("c's status after removal = %+v, want pid 0, want d", st)
	}
}

// The first Apply locks every directory before starting anything: one that is held
// elsewhere means nothing starts.
func TestFirstApplyIsAllOrNothing(t *testing.T) {
	h := newHarness(t)
	held, err := statusfs.Open(filepath.Join(h.status, "b"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	_, err = h.e.Apply(&manifest.Manifest{StatusDir: h.status, Modules: []manifest.Module{h.module("a", "showenv", nil), h.module("b", "showenv", nil)}})
	if err == nil || !strings.Contains(err.Error(), "module b") {
		t.Fatalf("Apply = %v, want an error naming module b", err)
	}
	if statusfs.Supervised(filepath.Join(h.status, "a")) || h.ev.count("a", Started) != 0 {
		t.Error("module a was started although b could not be locked")
	}
}

// Shutdown stops every child, releases every directory and leaves no goroutine behind.
func TestShutdownLeavesNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	h := newHarness(t)
	var mods []manifest.Module
	for i := range 10 {
		mods = append(mods, h.module(fmt.Sprintf("m%d", i), "showenv", nil))
	}
	h.apply(mods...)
	var pids []int
	for _, m := range mods {
		pids = append(pids, h.waitUp(m.Name))
	}
	h.shutdown()
	for i, pid := range pids {
		if alive(pid) {
			t.Errorf("%s's child %d is still alive", mods[i].Name, pid)
		}
		if statusfs.Supervised(filepath.Join(h.status, mods[i].Name)) {
			t.Errorf("%s is still supervised", mods[i].Name)
		}
	}
	testkit.WaitFor(t, "goroutines back to where they started", func() bool { return runtime.NumGoroutine() <= before })
}

// `x` ends supervision of one module once it is down; the others carry on.
func TestExitCommandReleasesOneModule(t *testing.T) {
	h := newHarness(t)
	h.apply(h.module("a", "showenv", nil), h.module("b", "showenv", nil))
	pa, pb := h.waitUp("a"), h.waitUp("b")
	if err := statusfs.SendControl(filepath.Join(h.status, "a"), []byte("dx")); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "a released", func() bool { return !statusfs.Supervised(filepath.Join(h.status, "a")) })
	if alive(pa) {
		t.Error("a's child survived dx")
	}
	if !alive(pb) || h.pid("b") != pb {
		t.Error("b was disturbed")
	}

	// A reload leaves what the operator released alone while its block is unchanged...
	a, b := h.module("a", "showenv", nil), h.module("b", "showenv", nil)
	if plan := h.apply(a, b); plan.Changes() {
		t.Errorf("reload after x = %s, want no changes", plan)
	}
	if statusfs.Supervised(filepath.Join(h.status, "a")) {
		t.Error("a reload took a released module back")
	}
	// ...and supervises it again once its block changes.
	a.Env["VALUE"] = "new"
	if plan := h.apply(a, b); plan.String() != "+1 -0 ~0 (1 unchanged): +a" {
		t.Errorf("reload with a changed block = %s", plan)
	}
	h.waitUp("a")
}

// A module that cannot start backs off like a crash and says why, in the stream
// and in supervise.log.wf; the other modules carry on.
func TestUnstartableModulesAreReported(t *testing.T) {
	h := newHarness(t)
	notExec := filepath.Join(h.status, "not-executable")
	os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644)
	missing := h.module("missing", "showenv", nil)
	missing.Command = []string{"/nonexistent/program"}
	noexec := h.module("noexec", "showenv", nil)
	noexec.Command = []string{notExec}
	nodir := h.module("nodir", "showenv", nil)
	nodir.Dir = filepath.Join(h.status, "no-such-dir")
	notfound := h.module("notfound", "showenv", nil)
	notfound.Command = []string{"no-such-program-anywhere"}
	h.apply(missing, noexec, nodir, notfound, h.module("fine", "showenv", nil))
	for name, want := range map[string]string{
		"missing":  "/nonexistent/program: no such file or directory",
		"noexec":   notExec + ": permission denied (not executable)",
		"nodir":    "working directory " + nodir.Dir + ": no such file or directory",
		"notfound": "no-such-program-anywhere: command not found in PATH",
	} {
		testkit.WaitFor(t, name+"'s start failure", func() bool { return h.ev.count(name, StartFailed) > 0 })
		log, _ := os.ReadFile(filepath.Join(h.status, name, "supervise.log.wf"))
		if !strings.Contains(string(log), name+" could not start: "+want) {
			t.Errorf("%s: supervise.log.wf = %q, want %q", name, log, want)
		}
	}
	h.waitUp("fine")
}
