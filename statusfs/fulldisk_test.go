package statusfs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"svman/internal/fulldisk"
	"svman/manifest"
)

// statusReader reads dir/status in a loop until stopped, and reports the first
// read that is not a whole, valid status file (a missing file counts too: the
// status file must never disappear).
type statusReader struct {
	stop chan struct{}
	wg   sync.WaitGroup
	err  error
}

func readStatusContinuously(dir string) *statusReader {
	r := &statusReader{stop: make(chan struct{})}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			select {
			case <-r.stop:
				return
			default:
			}
			if _, err := ReadStatus(dir); err != nil {
				r.err = err
				return
			}
		}
	}()
	return r
}

// check stops the reader and fails the test if it saw a bad status file.
func (r *statusReader) check(t *testing.T) {
	t.Helper()
	close(r.stop)
	r.wg.Wait()
	if r.err != nil {
		t.Errorf("a reader saw a bad status file: %v", r.err)
	}
}

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// On a full file system the status file is rewritten in place, so it never says
// what is no longer true; state.json and module.json are removed rather than left
// old; once there is space again, writes are atomic again.
func TestWriteStatusOnFullDisk(t *testing.T) {
	disk := fulldisk.Mount(t)
	d, err := Open(filepath.Join(disk.Dir, "status", "mod"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	statusPath := filepath.Join(d.Path(), "status")
	up := Status{Changed: time.Now(), Want: WantUp, AlarmsOn: true, PID: 4242}
	if err := d.WriteStatus(up); err != nil {
		t.Fatal(err)
	}
	writes := map[string]func() error{
		"state.json":  func() error { return d.WriteState(State{State: RunUp}) },
		"module.json": func() error { return d.WriteApplied(manifest.Module{Name: "mod"}) },
	}
	for _, write := range writes {
		if err := write(); err != nil {
			t.Fatal(err)
		}
	}
	before := inode(t, statusPath)
	reader := readStatusContinuously(d.Path())
	defer reader.check(t)

	disk.Fill(t)
	down := Status{Changed: time.Now(), Want: WantDown, AlarmsOn: true}
	err = d.WriteStatus(down)
	if !errors.Is(err, ErrWrittenInPlace) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("WriteStatus on a full disk: %v; want ENOSPC and ErrWrittenInPlace", err)
	}
	if got, err := ReadStatus(d.Path()); err != nil || got.Want != WantDown || got.PID != 0 {
		t.Errorf("status on a full disk = %+v, %v; want want d, pid 0", got, err)
	}
	if ino := inode(t, statusPath); ino != before {
		t.Errorf("status was replaced (inode %d, was %d), not rewritten in place", ino, before)
	}
	if w, _ := d.Written(); w.Status.Encode() != down.Encode() || w.StatusErr != nil {
		t.Errorf("Written after a write in place = %+v; want %+v", w, down)
	}
	for _, name := range []string{"status.new", "state.json.new", "module.json.new"} {
		if _, err := os.Lstat(filepath.Join(d.Path(), name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind: %v", name, err)
		}
	}
	for name, write := range writes {
		disk.Fill(t) // again: removing the other file freed its block
		if err := write(); !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("writing %s on a full disk: %v, want ENOSPC", name, err)
		}
		if _, err := os.Lstat(filepath.Join(d.Path(), name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the old %s is still there after a failed write: %v", name, err)
		}
	}
	if w, _ := d.Written(); !errors.Is(w.StateErr, os.ErrNotExist) {
		t.Errorf("Written after state.json was removed = %+v; want no state", w)
	}

	disk.Free(t)
	again := Status{Changed: time.Now(), Want: WantUp, AlarmsOn: true, PID: 4343}
	if err := d.WriteStatus(again); err != nil {
		t.Fatalf("WriteStatus once there is space again: %v", err)
	}
	if ino := inode(t, statusPath); ino == before {
		t.Error("status still rewritten in place once there is space again")
	}
	if got, err := ReadStatus(d.Path()); err != nil || got.PID != 4343 {
		t.Errorf("status = %+v, %v; want pid 4343", got, err)
	}
	if err := d.WriteState(State{State: RunUp}); err != nil {
		t.Errorf("WriteState once there is space again: %v", err)
	}
}

// A log line that a full file system takes only part of is cut off, so the next
// line, once there is space, starts on a line of its own.
func TestLogLineOnFullDisk(t *testing.T) {
	disk := fulldisk.Mount(t)
	d, err := Open(filepath.Join(disk.Dir, "status", "mod"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	logPath := filepath.Join(d.Path(), "supervise.log")
	d.Notice("first")
	disk.Fill(t)
	// Longer than what is left of the log's first page, so part of it fits.
	d.Notice("%s", strings.Repeat("x", 6000))
	disk.Free(t)
	d.Notice("after")
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	whole := func(line []byte, msg string) bool {
		// "[NOTICE] 2006-01-02 15:04:05 msg", and nothing more.
		return len(line) == len("[NOTICE] ")+len(logTimeLayout)+1+len(msg) &&
			bytes.HasPrefix(line, []byte("[NOTICE] ")) && bytes.HasSuffix(line, []byte(" "+msg))
	}
	if len(lines) != 2 || !whole(lines[0], "first") || !whole(lines[1], "after") {
		t.Errorf("supervise.log = %.200q; want the lines first and after, whole", b)
	}
}
