package statusfs

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func repair(t *testing.T, d *Dir, want ...string) {
	t.Helper()
	got, err := d.Repair()
	if err != nil {
		t.Fatalf("Repair: %v", err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Repair recreated %q, want %q", got, want)
	}
}

func remove(t *testing.T, d *Dir, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := os.Remove(filepath.Join(d.Path(), n)); err != nil {
			t.Fatal(err)
		}
	}
}

func shell(t *testing.T, dir, script string) {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sh -c %q: %v %s", script, err, out)
	}
}

// sendAndRead sends cmds with SendControl and reads them back with TryReadControl.
func sendAndRead(t *testing.T, d *Dir, cmds string) {
	t.Helper()
	if err := SendControl(d.Path(), []byte(cmds)); err != nil {
		t.Fatalf("SendControl: %v", err)
	}
	readControl(t, d, cmds)
}

// A control FIFO deleted and recreated by Repair is read as the first one was,
// until Close.
func TestRepairControlKeepsReading(t *testing.T) {
	d := openTemp(t)
	sendAndRead(t, d, "u")
	remove(t, d, "control")
	repair(t, d, "control")
	if m := perm(t, filepath.Join(d.Path(), "control")); m != fs.ModeNamedPipe|0o600 {
		t.Errorf("mode of control = %v", m)
	}
	shell(t, d.Path(), "echo d > control")
	readControl(t, d, "d\n")
	d.Close()
	if n, err := d.TryReadControl(make([]byte, 8)); n != 0 || !errors.Is(err, os.ErrClosed) {
		t.Errorf("TryReadControl after Close = %d, %v; want 0, os.ErrClosed", n, err)
	}
}

// Bytes unread in the deleted FIFO are carried to the new one.
func TestRepairCarriesUnreadControl(t *testing.T) {
	d := openTemp(t)
	if err := SendControl(d.Path(), []byte("ud")); err != nil {
		t.Fatal(err)
	}
	remove(t, d, "control")
	repair(t, d, "control")
	readControl(t, d, "ud")
}

// A writer that opened the control FIFO before it was deleted writes into the
// old FIFO, which nobody reads once Repair has replaced it: its bytes are lost.
func TestRepairLosesWritesToTheDeletedControl(t *testing.T) {
	d := openTemp(t)
	old, err := os.OpenFile(filepath.Join(d.Path(), "control"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	remove(t, d, "control")
	repair(t, d, "control")
	old.Write([]byte("d")) // EPIPE: the old FIFO has no reader left
	sendAndRead(t, d, "u")
}

func TestRepairOk(t *testing.T) {
	d := openTemp(t)
	remove(t, d, "ok")
	if Supervised(d.Path()) {
		t.Fatal("Supervised with ok deleted")
	}
	repair(t, d, "ok")
	if !Supervised(d.Path()) {
		t.Error("not Supervised after Repair")
	}
	if m := perm(t, filepath.Join(d.Path(), "ok")); m != fs.ModeNamedPipe|0o600 {
		t.Errorf("mode of ok = %v", m)
	}
}

// Once control is deleted, `echo d > control` makes a regular file in its place.
func TestRepairControlReplacedByFile(t *testing.T) {
	d := openTemp(t)
	remove(t, d, "control")
	shell(t, d.Path(), "echo d > control")
	if m := perm(t, filepath.Join(d.Path(), "control")); !m.IsRegular() {
		t.Fatalf("control after echo = %v, want a regular file", m)
	}
	repair(t, d, "control")
	if m := perm(t, filepath.Join(d.Path(), "control")); m != fs.ModeNamedPipe|0o600 {
		t.Errorf("mode of control = %v, want a FIFO again", m)
	}
	sendAndRead(t, d, "x")
}

func TestRepairLock(t *testing.T) {
	d := openTemp(t)
	remove(t, d, "lock")
	if _, ok := LockHolder(d.Path()); ok {
		t.Fatal("LockHolder with lock deleted")
	}
	repair(t, d, "lock")
	if pid, ok := LockHolder(d.Path()); !ok || pid != os.Getpid() {
		t.Errorf("LockHolder = %d, %v; want %d", pid, ok, os.Getpid())
	}
	d2, err := Open(d.Path())
	if err == nil {
		d2.Close()
		t.Fatal("second Open after Repair succeeded")
	}
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() {
		t.Errorf("second Open = %v, want *LockedError naming pid %d", err, os.Getpid())
	}
	if _, err := os.Stat("/usr/bin/fuser"); err != nil {
		t.Skip("fuser not installed")
	}
	out, err := exec.Command("/usr/bin/fuser", filepath.Join(d.Path(), "lock")).Output()
	if err != nil {
		t.Fatalf("fuser lock: %v", err)
	}
	if got := strings.Fields(string(out)); len(got) != 1 || got[0] != strconv.Itoa(os.Getpid()) {
		t.Errorf("fuser lock = %q, want our pid %d", out, os.Getpid())
	}
}

// If someone else locks the new lock file first, Repair reports it and keeps the old
// descriptors, leaving the FIFOs to the new holder.
func TestRepairLockTaken(t *testing.T) {
	d := openTemp(t)
	oldControl := d.control
	remove(t, d, "lock", "control")
	other, err := takeLock(d.dirfd, d.Path())
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Repair()
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() || le.Dir != d.Path() {
		t.Errorf("Repair = %v, want *LockedError", err)
	}
	if _, err := os.Lstat(filepath.Join(d.Path(), "control")); !os.IsNotExist(err) {
		t.Errorf("Repair made control without the lock: %v", err)
	}
	if d.control != oldControl {
		t.Error("Repair replaced control without the lock")
	}
	other.Close()
	repair(t, d, "lock", "control")
	sendAndRead(t, d, "u")
}

func TestRepairWholeDirectory(t *testing.T) {
	d := openTemp(t)
	if err := os.RemoveAll(d.Path()); err != nil {
		t.Fatal(err)
	}
	repair(t, d, "directory", "lock", "control", "ok")
	if m := perm(t, d.Path()); m != fs.ModeDir|0o700 {
		t.Errorf("mode of the directory = %v", m)
	}
	for _, n := range []string{"control", "ok"} {
		if m := perm(t, filepath.Join(d.Path(), n)); m != fs.ModeNamedPipe|0o600 {
			t.Errorf("mode of %s = %v", n, m)
		}
	}
	if pid, ok := LockHolder(d.Path()); !ok || pid != os.Getpid() {
		t.Errorf("LockHolder = %d, %v", pid, ok)
	}
	if !Supervised(d.Path()) {
		t.Error("not Supervised")
	}
	s := Status{Changed: time.Unix(1700000000, 5), Want: WantUp, AlarmsOn: true, PID: 4242}
	if err := d.WriteStatus(s); err != nil {
		t.Fatal(err)
	}
	got, err := ReadStatus(d.Path())
	if err != nil || !got.Changed.Equal(s.Changed) || got.Want != s.Want || got.PID != s.PID || !got.AlarmsOn {
		t.Errorf("ReadStatus = %+v, %v; want %+v", got, err, s)
	}
	sendAndRead(t, d, "d")
}

func TestRepairNothingMissing(t *testing.T) {
	d := openTemp(t)
	before := map[string]os.FileInfo{}
	for _, n := range []string{"lock", "control", "ok"} {
		fi, err := os.Lstat(filepath.Join(d.Path(), n))
		if err != nil {
			t.Fatal(err)
		}
		before[n] = fi
	}
	files := []*os.File{d.lock, d.control, d.ok}
	got, err := d.Repair()
	if got != nil || err != nil {
		t.Fatalf("Repair = %q, %v; want nil, nil", got, err)
	}
	for n, fi := range before {
		now, err := os.Lstat(filepath.Join(d.Path(), n))
		if err != nil || !os.SameFile(fi, now) {
			t.Errorf("%s changed: %v", n, err)
		}
	}
	if !slices.Equal(files, []*os.File{d.lock, d.control, d.ok}) {
		t.Error("Repair swapped descriptors with nothing missing")
	}
}

func TestRepairAfterClose(t *testing.T) {
	d := openTemp(t)
	d.Close()
	if _, err := d.Repair(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Repair after Close = %v, want os.ErrClosed", err)
	}
}

// A directory made where the status file was (`rm status; mkdir status`) is
// cleared by Repair: an empty one removed, one with files in it moved aside with
// its files; the next WriteStatus then puts the file back.
func TestRepairStatusReplacedByDirectory(t *testing.T) {
	for _, withFile := range []bool{false, true} {
		d := openTemp(t)
		s := Status{Changed: time.Now(), Want: WantUp, AlarmsOn: true, PID: 77}
		if err := d.WriteStatus(s); err != nil {
			t.Fatal(err)
		}
		script := "rm status && mkdir status"
		if withFile {
			script += " && echo keep > status/note"
		}
		shell(t, d.Path(), script)
		if err := d.WriteStatus(s); err == nil {
			t.Fatal("WriteStatus over a directory succeeded")
		}
		repair(t, d, "status")
		if err := d.WriteStatus(s); err != nil {
			t.Fatalf("WriteStatus after Repair: %v", err)
		}
		if got, err := ReadStatus(d.Path()); err != nil || got.PID != 77 {
			t.Errorf("ReadStatus = %+v, %v; want pid 77", got, err)
		}
		aside, _ := filepath.Glob(filepath.Join(d.Path(), "status.aside.*", "note"))
		if withFile != (len(aside) == 1) {
			t.Errorf("with a file in it: %v; files moved aside: %q", withFile, aside)
		}
		repair(t, d) // nothing more to do
	}
}
