package engine

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/statusfs"
)

// Restart replaces the child at once, even for a module taken down with `d`
// or one whose policy would never restart it, and leaves it wanted up.
func TestRestart(t *testing.T) {
	h := newHarness(t)
	web := h.module("web", "sleeper", nil)
	web.Restart.Policy = "never"
	web.Restart.Delay = time.Hour
	h.apply(web)
	first := h.waitUp("web")
	if err := h.e.Restart("web"); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "a new child", func() bool { p := h.pid("web"); return p != 0 && p != first })
	// The status file is written before the event is emitted: wait for it.
	testkit.WaitFor(t, "the second Started event", func() bool { return h.ev.count("web", Started) >= 2 })
	if n := h.ev.count("web", Started); n != 2 {
		t.Errorf("web started %d times, want 2", n)
	}
	if err := statusfs.SendControl(filepath.Join(h.status, "web"), []byte("d")); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "web down", func() bool { return h.pid("web") == 0 && h.wantByte("web") == 'd' })
	if err := h.e.Restart("web"); err != nil {
		t.Fatal(err)
	}
	h.waitUp("web")
	if b := h.wantByte("web"); b != 'u' {
		t.Errorf("want byte %q after restart of a module taken down, want 'u'", b)
	}
	if err := h.e.Restart("nosuch"); !errors.Is(err, ErrNotSupervised) {
		t.Errorf("restart of an unknown module: %v, want ErrNotSupervised", err)
	}
}

// Signal sends any signal to the child, which a Signaled event records. The
// child is sleep(1), whom USR1 kills: a Go program, as the test helpers are,
// ignores it once its runtime has started.
func TestSignal(t *testing.T) {
	h := newHarness(t)
	h.apply(h.shModule("web", "exec sleep 1000"))
	pid := h.waitUp("web")
	if err := h.e.Signal("web", syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "a Signaled event", func() bool { return h.ev.count("web", Signaled) == 1 })
	ev := h.ev.find("web", Signaled)[0]
	if ev.Signal != syscall.SIGUSR1 || ev.PID != pid {
		t.Errorf("Signaled %v to %d, want USR1 to %d", ev.Signal, ev.PID, pid)
	}
	testkit.WaitFor(t, "sleep killed by USR1", func() bool { return h.ev.count("web", Exited) == 1 })
	if err := h.e.Signal("nosuch", syscall.SIGUSR1); !errors.Is(err, ErrNotSupervised) {
		t.Errorf("signal to an unknown module: %v, want ErrNotSupervised", err)
	}
}

// Held gives the status directories of the modules supervised, as Run
// publishes them: a module applied is in it, with what it wrote; one removed
// is gone; after Run, nothing.
func TestHeld(t *testing.T) {
	h := newHarness(t)
	h.apply(h.module("web", "sleeper", nil), h.module("db", "sleeper", nil))
	pid := h.waitUp("web")
	var d *statusfs.Dir
	testkit.WaitFor(t, "web and db held", func() bool {
		held := h.e.Held()
		d = held["web"]
		return len(held) == 2 && d != nil && held["db"] != nil
	})
	if d.Path() != filepath.Join(h.status, "web") {
		t.Errorf("web's directory: %s", d.Path())
	}
	testkit.WaitFor(t, "web's pid written", func() bool {
		w, ok := d.Written()
		return ok && w.Status.PID == pid
	})
	h.apply(h.module("db", "sleeper", nil))
	testkit.WaitFor(t, "web no longer held", func() bool {
		_, web := h.e.Held()["web"]
		return !web && len(h.e.Held()) == 1
	})
	h.shutdown()
	if held := h.e.Held(); held != nil {
		t.Errorf("Held after Run: %v", held)
	}
}
