package engine

import (
	"fmt"
	"os"
	"testing"

	"svman/internal/proc"
	"svman/internal/testkit"
	"svman/manifest"
)

// A running module that writes nothing costs svman proc.FilesPerModule open
// descriptors and no more (lock, control, ok and its two output pipes): its
// status directory, status files and logs are opened for each write only. The
// baseline is the engine with a few modules running, so that what svman holds
// once whatever it supervises (status_dir, the watches) is not counted.
func TestModulesHoldFilesPerModule(t *testing.T) {
	const first, more = 5, 40
	h := newHarness(t)
	var mods []manifest.Module
	for i := range first + more {
		mods = append(mods, h.shModule(fmt.Sprintf("m%02d", i), "exec sleep 1000"))
	}
	h.apply(mods[:first]...)
	for _, m := range mods[:first] {
		h.waitUp(m.Name)
	}
	before := openFiles(t)

	h.apply(mods...)
	for _, m := range mods {
		h.waitUp(m.Name)
	}
	want := before + proc.FilesPerModule*more
	var now int
	if !testkit.Poll(func() bool { now = openFiles(t); return now <= want }) {
		t.Fatalf("%d more modules running: %d descriptors open, %d before; want at most %d per module", more, now, before, proc.FilesPerModule)
	}
}

// Under an open-files limit of what the test process holds plus
// proc.FilesNeeded(n), n modules that all start at once, and stop at once,
// never run out of descriptors: whatever their starts and status writes open
// for a moment is within the reserve, because svman bounds how many run at once.
func TestModulesStartWithinFilesNeeded(t *testing.T) {
	const n = 200
	h := newHarness(t)
	testkit.LimitOpenFiles(t, uint64(openFiles(t))+proc.FilesNeeded(n))
	var mods []manifest.Module
	for i := range n {
		mods = append(mods, h.shModule(fmt.Sprintf("m%03d", i), "exec sleep 1000"))
	}
	h.apply(mods...)
	for _, m := range mods {
		h.waitUp(m.Name)
	}
	h.shutdown()
	for _, k := range []Kind{StartFailed, Warning} {
		for _, m := range mods {
			for _, ev := range h.ev.find(m.Name, k) {
				t.Errorf("%s: %v", m.Name, ev.Err)
			}
		}
	}
}

// openFiles is how many descriptors the test process has open.
func openFiles(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(ents) - 1 // the one that read it
}
