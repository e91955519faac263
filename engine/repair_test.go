package engine

import (
	"os"
	"path/filepath"
	"testing"

	"svman/internal/testkit"
	"svman/statusfs"
)

// The control FIFO, or the whole status directory, deleted under a running svman
// is recreated at once, and the module's status is right again.
func TestDeletedStatusDirectoryIsRecreated(t *testing.T) {
	h := newHarness(t)
	h.apply(h.module("app", "showenv", nil))
	pid := h.waitUp("app")
	dir := filepath.Join(h.status, "app")
	isFIFO := func(name string) bool {
		fi, err := os.Lstat(filepath.Join(dir, name))
		return err == nil && fi.Mode()&os.ModeNamedPipe != 0
	}

	os.Remove(filepath.Join(dir, "control"))
	// Recreated, and held by svman again: only then does a write to it succeed.
	testkit.WaitFor(t, "control recreated and reaching svman", func() bool {
		return isFIFO("control") && statusfs.SendControl(dir, []byte("p")) == nil
	})
	testkit.WaitFor(t, "the child paused through the new FIFO", func() bool {
		st, _ := statusfs.ReadStatus(dir)
		return st.Paused
	})
	statusfs.SendControl(dir, []byte("c"))

	os.RemoveAll(dir)
	testkit.WaitFor(t, "the directory recreated with its FIFOs, lock and status", func() bool {
		st, err := statusfs.ReadStatus(dir)
		return err == nil && st.PID == pid && isFIFO("control") && isFIFO("ok") && statusfs.Supervised(dir)
	})
	if holder, ok := statusfs.LockHolder(dir); !ok || holder != os.Getpid() {
		t.Errorf("lock holder = %d, %v; want this process", holder, ok)
	}
	// And once more: the new directory is watched too.
	os.Remove(filepath.Join(dir, "ok"))
	testkit.WaitFor(t, "ok recreated in the new directory", func() bool { return isFIFO("ok") && statusfs.Supervised(dir) })
	// A file moved away is as gone as a deleted one.
	os.Rename(filepath.Join(dir, "status"), filepath.Join(dir, "status.saved"))
	testkit.WaitFor(t, "status rewritten after it was moved away", func() bool {
		st, err := statusfs.ReadStatus(dir)
		return err == nil && st.PID == pid
	})
	// state.json too, which says more than the status file can.
	os.Remove(filepath.Join(dir, "state.json"))
	testkit.WaitFor(t, "state.json written again", func() bool {
		st, err := statusfs.ReadState(dir)
		return err == nil && st.State == statusfs.RunUp
	})
	if h.pid("app") != pid {
		t.Error("the module was restarted")
	}
}

// A directory made where the status file was is cleared and the file written
// again, whether the directory comes before or after svman saw the file go.
func TestStatusReplacedByDirectoryIsRepaired(t *testing.T) {
	h := newHarness(t)
	h.apply(h.module("app", "showenv", nil))
	pid := h.waitUp("app")
	dir := filepath.Join(h.status, "app")
	statusRight := func() bool {
		st, err := statusfs.ReadStatus(dir)
		return err == nil && st.PID == pid
	}
	// svman may rewrite the file between the rm and the mkdir (then the repair
	// came first, and the mkdir fails): try until the directory is made, so that
	// either order can happen.
	p := filepath.Join(dir, "status")
	testkit.WaitFor(t, "a directory made where the status file was", func() bool {
		os.Remove(p)
		return os.Mkdir(p, 0o755) == nil
	})
	testkit.WaitFor(t, "the status file back", statusRight)
	if h.pid("app") != pid {
		t.Error("the module was restarted")
	}
}
