package metrics

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"svman/engine"
	"svman/internal/proc"
	"svman/manifest"
)

// inode is the inode of path; 0 when it is missing. Each write renames a new
// file over path, so a new inode is a new write.
func inode(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// The textfile is written once for a burst of changes, at most once every
// textfileEvery, atomically and with mode 0644; while nothing changes it is not
// written again and its writer does not wake up (no timer is armed), however
// long the wait.
func TestTextfileIsWrittenOnChangeOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "svman.prom")
	synctest.Test(t, func(t *testing.T) {
		o := New(func() int64 { return 7 })
		quit, done := make(chan struct{}), make(chan struct{})
		go func() {
			o.RunTextfile(quit, func(err error) {
				if err != nil {
					t.Error(err)
				}
			})
			close(done)
		}()
		o.Add([]manifest.Module{{Name: "web"}})
		o.SetTextfile(path)
		synctest.Wait()
		first := inode(t, path)
		if first == 0 {
			t.Fatal("no textfile after the first change")
		}
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("mode %v, want 0644", fi.Mode().Perm())
		}
		f := parseFile(t, path)
		if v, ok := value(f, "svman_module_up", "module", "web"); !ok || v != 0 {
			t.Errorf("svman_module_up{module=web} = %v, %v; want 0", v, ok)
		}
		if v, _ := value(f, "svman_console_dropped_lines_total"); v != 7 {
			t.Errorf("svman_console_dropped_lines_total = %v, want 7", v)
		}
		if _, ok := f["svman_module_cpu_seconds_total"]; ok {
			t.Error("the textfile has CPU time, which would be stale between writes")
		}
		entries, _ := os.ReadDir(filepath.Dir(path))
		if len(entries) != 1 {
			t.Errorf("the directory holds %d files, want the textfile alone (no temporary left)", len(entries))
		}

		// A burst of events right after a write: one more write, textfileEvery
		// after the first, with every event of the burst in it.
		for i := range 5 {
			o.Observe(engine.Event{Module: "web", Kind: engine.Started, PID: 100 + i, Time: time.Now()})
			o.Observe(engine.Event{Module: "web", Kind: engine.Exited, Exit: proc.ExitStatus{Code: 3}})
			o.Observe(engine.Event{Module: "web", Kind: engine.Restarting, Delay: time.Second})
		}
		synctest.Wait()
		if inode(t, path) != first {
			t.Fatal("written again within textfileEvery of the last write")
		}
		time.Sleep(textfileEvery)
		synctest.Wait()
		second := inode(t, path)
		if second == first {
			t.Fatal("not written again after a burst of changes")
		}
		f = parseFile(t, path)
		if v, _ := value(f, "svman_module_restarts_total", "module", "web"); v != 5 {
			t.Errorf("restarts_total = %v, want 5", v)
		}
		if v, _ := value(f, "svman_module_exits_total", "module", "web", "code", "3", "signal", ""); v != 5 {
			t.Errorf("exits_total{code=3} = %v, want 5", v)
		}

		// Idle: an hour without a change wakes the writer not once.
		wakes := o.textfileWakes.Load()
		time.Sleep(time.Hour)
		synctest.Wait()
		if n := o.textfileWakes.Load() - wakes; n != 0 {
			t.Errorf("the textfile writer woke %d times while nothing changed", n)
		}
		if inode(t, path) != second {
			t.Error("written again while nothing changed")
		}

		// A change long after the last write is written at once.
		o.Reloaded("invalid")
		synctest.Wait()
		if inode(t, path) == second {
			t.Error("a change after a quiet hour was not written at once")
		}
		if v, _ := value(parseFile(t, path), "svman_reloads_total", "result", "invalid"); v != 1 {
			t.Errorf("reloads_total{result=invalid} = %v, want 1", v)
		}

		// Another file in its place: the old one is removed, the new one written.
		other := filepath.Join(filepath.Dir(path), "other.prom")
		o.SetTextfile(other)
		synctest.Wait()
		if inode(t, path) != 0 || inode(t, other) == 0 {
			t.Errorf("after the textfile moved: old one there %v, new one there %v", inode(t, path) != 0, inode(t, other) != 0)
		}
		close(quit)
		<-done
	})
}
