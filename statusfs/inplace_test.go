package statusfs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The last status of a supervision is rewritten in place: the same file, the
// new 20 bytes, no status.new, and Written says so.
func TestWriteLastStatusInPlace(t *testing.T) {
	d := openTemp(t)
	p := filepath.Join(d.Path(), "status")
	if err := d.WriteStatus(Status{Changed: time.Now(), Want: WantUp, AlarmsOn: true, PID: 4242}); err != nil {
		t.Fatal(err)
	}
	before := inode(t, p)
	down := Status{Changed: time.Now(), Want: WantDown, AlarmsOn: true}
	if err := d.WriteLastStatus(down); err != nil {
		t.Fatal(err)
	}
	if got := inode(t, p); got != before {
		t.Errorf("status was replaced (inode %d, was %d), not rewritten in place", got, before)
	}
	got, err := ReadStatus(d.Path())
	if err != nil || got.Encode() != down.Encode() {
		t.Errorf("status = %+v, %v; want %+v", got, err, down)
	}
	if _, err := os.Lstat(filepath.Join(d.Path(), "status.new")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("status.new left behind: %v", err)
	}
	if w, _ := d.Written(); w.Status.Encode() != down.Encode() || w.StatusErr != nil {
		t.Errorf("Written = %+v; want %+v", w, down)
	}
}

// Where there is no 20-byte status file to rewrite, the last status is written
// as any other: a whole new file.
func TestWriteLastStatusWithoutAStatusFile(t *testing.T) {
	for name, prepare := range map[string]func(p string) error{
		"missing": func(string) error { return nil },
		"short":   func(p string) error { return os.WriteFile(p, []byte("19 bytes of garbage"), 0o600) },
		"long":    func(p string) error { return os.WriteFile(p, bytes.Repeat([]byte{1}, 40), 0o600) },
		"a FIFO":  func(p string) error { return syscall.Mkfifo(p, 0o600) },
	} {
		t.Run(name, func(t *testing.T) {
			d := openTemp(t)
			p := filepath.Join(d.Path(), "status")
			if err := prepare(p); err != nil {
				t.Fatal(err)
			}
			down := Status{Changed: time.Now(), Want: WantDown, AlarmsOn: true}
			if err := d.WriteLastStatus(down); err != nil {
				t.Fatal(err)
			}
			got, err := ReadStatus(d.Path())
			if err != nil || got.Encode() != down.Encode() {
				t.Errorf("status = %+v, %v; want %+v", got, err, down)
			}
		})
	}
}

// The last state.json is rewritten in place too: a shorter version is padded
// with spaces to the file's size, a longer one makes the file longer, and both
// read back as what was written. One longer than a page is written as any other.
func TestWriteLastStateInPlace(t *testing.T) {
	d := openTemp(t)
	p := filepath.Join(d.Path(), "state.json")
	long := State{State: RunWaiting, Waiting: "db not ready", Restarts: 12}
	if err := d.WriteState(long); err != nil {
		t.Fatal(err)
	}
	ino := inode(t, p)
	size := fileSize(t, p)

	short := State{State: RunDown, Reason: DownByRemoval}
	if err := d.WriteLastState(short); err != nil {
		t.Fatal(err)
	}
	if got := inode(t, p); got != ino {
		t.Errorf("state.json was replaced (inode %d, was %d), not rewritten in place", got, ino)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != size || strings.TrimRight(string(b), " ") != `{"state":"down","reason":"removal"}` {
		t.Errorf("state.json = %q; want the short version padded with spaces to %d bytes", b, size)
	}
	if got, err := ReadState(d.Path()); err != nil || got != short {
		t.Errorf("ReadState = %+v, %v; want %+v", got, err, short)
	}

	longer := State{State: RunDown, Reason: DownByRemoval, Status: strings.Repeat("s", 200)}
	if err := d.WriteLastState(longer); err != nil {
		t.Fatal(err)
	}
	if got := inode(t, p); got != ino {
		t.Errorf("state.json was replaced for a longer version (inode %d, was %d)", got, ino)
	}
	if got, err := ReadState(d.Path()); err != nil || got != longer {
		t.Errorf("ReadState = %+v, %v; want %+v", got, err, longer)
	}

	huge := State{State: RunDown, Status: strings.Repeat("h", os.Getpagesize())}
	if err := d.WriteLastState(huge); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadState(d.Path()); err != nil || got != huge {
		t.Errorf("ReadState after a version longer than a page = %.80v, %v", got, err)
	}
	if w, _ := d.Written(); w.State != huge || w.StateErr != nil {
		t.Errorf("Written = %.80v; want the last state", w)
	}
}

func fileSize(t *testing.T, p string) int64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
