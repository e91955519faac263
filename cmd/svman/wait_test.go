package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/manifest"
	"svman/statusfs"

	"golang.org/x/sys/unix"
)

// setStatus makes module name's status directory say what a supervisor would:
// held, its child pid (0: none), state.json st.
func (p *project) setStatus(d *statusfs.Dir, pid int, want statusfs.Want, st statusfs.State) {
	p.t.Helper()
	if err := d.WriteStatus(statusfs.Status{Changed: time.Now(), Want: want, AlarmsOn: true, PID: pid}); err != nil {
		p.t.Fatal(err)
	}
	if err := d.WriteState(st); err != nil {
		p.t.Fatal(err)
	}
}

// waitResult is the outcome of an `svman wait` run in the background.
type waitResult struct {
	code   int
	stderr string
}

// startWait runs `svman wait ARGS` on the project's manifest in the background.
func (p *project) startWait(args ...string) <-chan waitResult {
	done := make(chan waitResult, 1)
	go func() {
		code, _, errOut := p.svmanCmd("wait", args...)
		done <- waitResult{code, errOut}
	}()
	return done
}

// result waits for the background wait to exit.
func result(t *testing.T, done <-chan waitResult) waitResult {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-testkit.Within():
		t.Fatal("svman wait did not exit")
	}
	return waitResult{}
}

// stillRunning fails the test if the background wait has exited.
func stillRunning(t *testing.T, done <-chan waitResult) {
	t.Helper()
	select {
	case r := <-done:
		t.Fatalf("svman wait exited (%d) before the module was ready: %s", r.code, r.stderr)
	default:
	}
}

// svman wait blocks while a module starts, and exits 0 once state.json says it
// is ready. Only inotify wakes it here: the recheck is an hour away.
func TestWaitWakesWhenAModuleBecomesReady(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper")+helperModule("worker", "sleeper"))
	web, worker := p.holdStatusDir("web"), p.holdStatusDir("worker")
	p.setStatus(web, os.Getpid(), statusfs.WantUp, statusfs.State{State: statusfs.RunUp})
	p.setStatus(worker, os.Getpid(), statusfs.WantUp, statusfs.State{State: statusfs.RunUp, Ready: true})
	m, err := manifest.Load(p.manifestPath())
	if err != nil {
		t.Fatal(err)
	}
	opened := watchOpen(t, web.Path(), "state.json")
	done := make(chan waitResult, 1)
	go func() {
		var stderr bytes.Buffer
		code := waitReady(context.Background(), m, manifestTargets(m), 0, time.Hour, &stderr)
		done <- waitResult{code, stderr.String()}
	}()
	// The wait reads web's state.json, then blocks: once it has read it, only
	// the change can wake it.
	opened()
	stillRunning(t, done)
	p.setStatus(web, os.Getpid(), statusfs.WantUp, statusfs.State{State: statusfs.RunUp, Ready: true})
	if r := result(t, done); r.code != 0 || r.stderr != "" {
		t.Errorf("wait = %d %q, want 0", r.code, r.stderr)
	}
}

// watchOpen returns a function that blocks until file name of dir is opened:
// the open is watched from now.
func watchOpen(t *testing.T, dir, name string) func() {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_OPEN); err != nil {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		buf := make([]byte, 4096)
		for {
			n, err := unix.Read(fd, buf)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(buf[unix.SizeofInotifyEvent:n], []byte(name+"\x00")) {
				return
			}
		}
	}
}

// With --timeout, wait gives up and says, for each module not ready, why.
func TestWaitTimeoutSaysWhatIsNotReady(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper")+helperModule("api", "sleeper")+helperModule("db", "sleeper")+helperModule("cron", "sleeper"))
	p.setStatus(p.holdStatusDir("web"), os.Getpid(), statusfs.WantUp, statusfs.State{State: statusfs.RunUp})
	p.setStatus(p.holdStatusDir("api"), 0, statusfs.WantUp, statusfs.State{State: statusfs.RunWaiting, Waiting: "db not ready"})
	p.setStatus(p.holdStatusDir("db"), os.Getpid(), statusfs.WantUp, statusfs.State{State: statusfs.RunUp, Ready: true})
	// cron's directory does not exist: no svman ever ran it.

	start := time.Now()
	r := result(t, p.startWait("--timeout", "300ms"))
	want := "web: starting (ready probe has not passed)\n" +
		"api: waiting: db not ready\n" +
		"cron: not supervised (no svman holds " + filepath.Join(p.statusDir("cron"), "lock") + ")\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("wait --timeout 300ms = %d\n%s\nwant 1\n%s", r.code, r.stderr, want)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("wait gave up after %s, before its timeout", d)
	}
}

// A module that cannot become ready until an operator acts ends the wait at
// once, without a timeout.
func TestWaitFailsAtOnceOnAStuckModule(t *testing.T) {
	tests := []struct {
		name  string
		pid   int
		want  statusfs.Want
		state statusfs.State
		line  string
	}{
		{"failed", 0, statusfs.WantUp, statusfs.State{State: statusfs.RunFailed, Reason: statusfs.DownByPolicy}, "db: failed"},
		{"down by the operator", 0, statusfs.WantDown, statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByOperator}, "db: down (operator)"},
		{"a one-shot that failed", 0, statusfs.WantUp, statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByPolicy}, "db: down (policy)"},
		{"waiting for a dependency that failed", 0, statusfs.WantUp, statusfs.State{State: statusfs.RunWaiting, Waiting: "migrate failed", Blocked: true}, "db: waiting: migrate failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProject(t, helperModule("web", "sleeper")+helperModule("db", "sleeper"))
			p.setStatus(p.holdStatusDir("web"), os.Getpid(), statusfs.WantUp, statusfs.State{State: statusfs.RunUp})
			p.setStatus(p.holdStatusDir("db"), tt.pid, tt.want, tt.state)
			r := result(t, p.startWait())
			if want := "web: starting (ready probe has not passed)\n" + tt.line + "\n"; r.code != 1 || r.stderr != want {
				t.Errorf("wait = %d\n%s\nwant 1\n%s", r.code, r.stderr, want)
			}
		})
	}
}

// Without names, wait waits for the modules with autostart = true; a one-shot
// that completed counts as ready. A name it does not know is ctl's error.
func TestWaitDefaultsToAutostartModules(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper")+helperModule("migrate", "sleeper")+helperModule("tool", "sleeper", "autostart = false"))
	p.setStatus(p.holdStatusDir("web"), os.Getpid(), statusfs.WantUp, statusfs.State{State: statusfs.RunUp, Ready: true})
	p.setStatus(p.holdStatusDir("migrate"), 0, statusfs.WantUp, statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByPolicy, Completed: true})
	// tool is not supervised: only naming it waits for it.
	if r := result(t, p.startWait()); r.code != 0 || r.stderr != "" {
		t.Errorf("wait = %d %q, want 0", r.code, r.stderr)
	}
	if r := result(t, p.startWait("--timeout", "50ms", "web", "tool")); r.code != 1 || !strings.HasPrefix(r.stderr, "tool: not supervised") {
		t.Errorf("wait web tool = %d %q, want 1 and tool not supervised", r.code, r.stderr)
	}

	_, _, ctlErr := p.svmanCmd("ctl", "nosuch", "up")
	code, _, errOut := p.svmanCmd("wait", "nosuch")
	if code != 1 || errOut != ctlErr || !strings.Contains(errOut, `no module named "nosuch"`) {
		t.Errorf("wait nosuch = %d %q, want 1 and ctl's %q", code, errOut, ctlErr)
	}
	if code, _, errOut := p.svmanCmd("wait", "--timeout", "-1s"); code != 2 {
		t.Errorf("wait --timeout -1s = %d %q, want 2", code, errOut)
	}
}

// A module waiting for a dependency the manifest names is stuck when that
// dependency is, however it says what it waits for; a completed one-shot
// dependency is not.
func TestWaitSeesThroughDependencies(t *testing.T) {
	p := newProject(t, helperModule("api", "sleeper")+helperModule("db", "sleeper")+helperModule("migrate", "sleeper")+helperModule("web", "sleeper"))
	p.setStatus(p.holdStatusDir("api"), 0, statusfs.WantUp, statusfs.State{State: statusfs.RunWaiting, Waiting: "db not ready"})
	p.setStatus(p.holdStatusDir("web"), 0, statusfs.WantUp, statusfs.State{State: statusfs.RunWaiting, Waiting: "api not ready"})
	db := p.holdStatusDir("db")
	p.setStatus(p.holdStatusDir("migrate"), 0, statusfs.WantUp, statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByPolicy, Completed: true})
	m, err := manifest.Load(p.manifestPath())
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Modules {
		switch m.Modules[i].Name {
		case "api":
			m.Modules[i].DependsOn = map[string]manifest.Condition{"db": manifest.CondReady, "migrate": manifest.CondCompleted}
		case "web":
			m.Modules[i].DependsOn = map[string]manifest.Condition{"api": manifest.CondReady}
		}
	}
	judge := func(name string) verdict {
		v, _ := newWaitRound(m, manifestTargets(m), time.Now()).judge(name)
		return v
	}

	p.setStatus(db, os.Getpid(), statusfs.WantUp, statusfs.State{State: statusfs.RunUp})
	if judge("api") != verdictPending || judge("web") != verdictPending {
		t.Errorf("with db starting: api %v, web %v, want both pending", judge("api"), judge("web"))
	}
	p.setStatus(db, 0, statusfs.WantUp, statusfs.State{State: statusfs.RunFailed, Reason: statusfs.DownByPolicy})
	if judge("api") != verdictStuck || judge("web") != verdictStuck {
		t.Errorf("with db failed: api %v, web %v, want both stuck", judge("api"), judge("web"))
	}
	p.setStatus(db, 0, statusfs.WantDown, statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByOperator})
	if judge("api") != verdictStuck {
		t.Errorf("with db down by the operator: api %v, want stuck", judge("api"))
	}
}
