package engine

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/manifest"
	"svman/statusfs"
)

// wantByte is byte 13 of a module's status file, as `od` shows it to scripts.
func (h *harness) wantByte(name string) byte {
	h.t.Helper()
	b, err := os.ReadFile(filepath.Join(h.status, name, "status"))
	if err != nil || len(b) != 20 {
		h.t.Fatalf("status of %s: %d bytes, %v", name, len(b), err)
	}
	return b[13]
}

// A run started by `o` is not restarted and leaves want 0 in the status file,
// however it ends; a clean end raises no alarm, a failure does.
func TestRunOnce(t *testing.T) {
	h := newHarness(t)
	clean, crash := h.module("clean", "exit-clean", nil), h.shModule("crash", "exit 3")
	for _, m := range []*manifest.Module{&clean, &crash} {
		m.Autostart = false
		m.Alarm.Interval = time.Minute
	}
	h.apply(clean, crash)
	for _, name := range []string{"clean", "crash"} {
		if err := statusfs.SendControl(filepath.Join(h.status, name), []byte("o")); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"clean", "crash"} {
		testkit.WaitFor(t, name+"'s run over", func() bool { return h.ev.count(name, Stopped) > 0 })
		if b := h.wantByte(name); b != 0 {
			t.Errorf("%s: status byte 13 = %q after its run once, want 0", name, b)
		}
		if n := h.ev.count(name, Started); n != 1 {
			t.Errorf("%s started %d times, want once", name, n)
		}
		if pid := h.pid(name); pid != 0 {
			t.Errorf("%s: status pid %d after its run", name, pid)
		}
	}
	if n := h.ev.count("clean", Alarm); n != 0 {
		t.Errorf("a clean run once raised %d alarms: %v", n, h.ev.find("clean", Alarm))
	}
	if n := h.ev.count("crash", Alarm); n != 1 {
		t.Errorf("a run once that exited 3 raised %d alarms, want 1", n)
	}
}
