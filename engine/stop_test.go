package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/manifest"
	"svman/statusfs"
)

// leaderModule is a module whose main process starts a child of role childRole
// in its group and exits at SIGUSR1, leaving the child behind.
func (h *harness) leaderModule(name, childRole string, stopTimeout time.Duration) manifest.Module {
	m := h.module(name, "group-leader", map[string]string{testkit.ChildRoleEnv: childRole})
	m.StopTimeout = stopTimeout
	return m
}

// childReady waits for the line "child PID ready" of module name whose child is
// not in skip, and returns that PID.
func (h *harness) childReady(name string, skip ...int) int {
	h.t.Helper()
	var pid int
	testkit.WaitFor(h.t, name+"'s child ready", func() bool {
		h.out.mu.Lock()
		defer h.out.mu.Unlock()
		for _, l := range h.out.all {
			var p int
			if _, err := fmt.Sscanf(l, name+": child %d ready", &p); err == nil && !slices.Contains(skip, p) {
				pid = p
				return true
			}
		}
		return false
	})
	return pid
}

// When the main process exits and leaves a process that dies at the stop signal,
// the module is restarted as soon as that process is gone, not after stop_timeout,
// and nothing says it did not stop.
func TestLeftoverThatStopsIsNotWaitedFor(t *testing.T) {
	h := newHarness(t)
	h.apply(h.leaderModule("w", "group-child", 10*time.Second))
	leader := h.waitUp("w")
	child := h.childReady("w")

	if err := syscall.Kill(leader, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "a restart decided", func() bool { return h.ev.count("w", Restarting) > 0 })
	exited, restarting := h.ev.find("w", Exited)[0], h.ev.find("w", Restarting)[0]
	took := restarting.Time.Sub(exited.Time)
	t.Logf("main process reaped to restart decided: %s", took)
	if took > time.Second {
		t.Errorf("the leftover's end was noticed %s after the main process exited, want < 1s (stop_timeout is 10s)", took)
	}
	if alive(child) {
		t.Errorf("the leftover %d is still alive", child)
	}
	waitNewPID(h, "w", leader)
	h.childReady("w", child)
	if n := h.ev.count("w", Escalated); n != 0 {
		t.Errorf("%d Escalated events for a group that stopped at TERM", n)
	}
	if wf, _ := os.ReadFile(filepath.Join(h.status, "w", "supervise.log.wf")); strings.Contains(string(wf), "did not stop") {
		t.Errorf("supervise.log.wf says it did not stop:\n%s", wf)
	}
}

// A leftover that ignores the stop signal is still killed after stop_timeout,
// and only then is the module said not to have stopped.
func TestLeftoverThatIgnoresTermIsKilled(t *testing.T) {
	h := newHarness(t)
	const stopTimeout = 300 * time.Millisecond
	h.apply(h.leaderModule("w", "group-child-ignore-term", stopTimeout))
	leader := h.waitUp("w")
	child := h.childReady("w")

	if err := syscall.Kill(leader, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the SIGKILL", func() bool { return h.ev.count("w", Escalated) > 0 })
	exited, escalated := h.ev.find("w", Exited)[0], h.ev.find("w", Escalated)[0]
	if d := escalated.Time.Sub(exited.Time); d < stopTimeout {
		t.Errorf("SIGKILL %s after the main process exited, before stop_timeout (%s)", d, stopTimeout)
	}
	testkit.WaitFor(t, "the leftover dead", func() bool { return !alive(child) })
	waitNewPID(h, "w", leader)
	testkit.WaitFor(t, "the message in supervise.log.wf", func() bool {
		wf, _ := os.ReadFile(filepath.Join(h.status, "w", "supervise.log.wf"))
		return strings.Contains(string(wf), "w did not stop within stop_timeout: SIGKILL sent")
	})
}

// A shutdown while a leftover of an exited main process is stopping ends as soon
// as the leftover is gone.
func TestShutdownWhileLeftoverStops(t *testing.T) {
	h := newHarness(t)
	// No restart: the leftover's exit and the shutdown may come in either order.
	m := h.leaderModule("w", "group-child-slow-term", 10*time.Second)
	m.Restart.Policy = manifest.RestartNever
	h.apply(m)
	leader := h.waitUp("w")
	child := h.childReady("w")
	if err := syscall.Kill(leader, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the leftover stopping", func() bool { return h.out.has("w: child " + strconv.Itoa(child) + " got TERM") })

	h.cancel()
	if err := syscall.Kill(child, syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	select {
	case <-h.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the shutdown still waits 5s after the leftover exited (stop_timeout is 10s)")
	}
	t.Logf("leftover's exit to the engine stopped: %s", time.Since(start))
	if n := h.ev.count("w", Escalated); n != 0 {
		t.Errorf("%d Escalated events for a leftover that exited", n)
	}
}

// A module's process that left its group (a setsid daemon, which came to svman
// when its parent died) gets the stop signal while the main process, which
// ignores it, still runs: it is looked for soon after the stop signal, not
// only once the main process is gone or killed.
func TestStopReachesTheDaemonOfAStubbornMain(t *testing.T) {
	h := newHarness(t)
	t.Cleanup(h.e.Kill) // before the harness's shutdown, which would wait for stop_timeout
	m := h.module("w", "stubborn-daemon", nil)
	m.StopTimeout = time.Hour // no SIGKILL during the test: what stops the daemon is the stop signal
	h.apply(m)
	leader := h.waitUp("w")
	var daemon int
	testkit.WaitFor(t, "the daemon and the main process ready", func() bool {
		h.out.mu.Lock()
		defer h.out.mu.Unlock()
		ready := false
		for _, l := range h.out.all {
			fmt.Sscanf(l, "w: daemon pid=%d", &daemon)
			ready = ready || l == fmt.Sprintf("w: ready pid=%d", leader)
		}
		return daemon != 0 && ready
	})
	if err := statusfs.SendControl(filepath.Join(h.status, "w"), []byte("d")); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the daemon stopped", func() bool { return !alive(daemon) })
	if !alive(leader) {
		t.Errorf("the main process %d, which ignores SIGTERM, is gone too", leader)
	}
}
