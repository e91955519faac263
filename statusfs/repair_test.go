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
	var other *os.File
	if err := d.useDir(func(dirfd int) (err error) { other, err = takeLock(dirfd, d.Path()); return err }); err != nil {
		t.Fatal(err)
	}
	_, err := d.Repair()
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
	if err := d.WriteStatus(Status{Want: WantUp, PID: 9}); !errors.Is(err, errLost) {
		t.Errorf("WriteStatus into the directory another process locked = %v, want errLost", err)
	}
	if _, err := os.Lstat(filepath.Join(d.Path(), "status")); !os.IsNotExist(err) {
		t.Errorf("a status file was written where another process holds the lock: %v", err)
	}
	other.Close()
	repair(t, d, "lock", "control")
	sendAndRead(t, d, "u")
	if err := d.WriteStatus(Status{Want: WantUp, PID: 9}); err != nil {
		t.Errorf("WriteStatus once the lock is taken again: %v", err)
	}
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

// A directory made by someone else at the path of the Dir's (after `rm -rf`,
// or with the Dir's moved away) is not the Dir's until Repair has taken its
// lock there: then every file is made again in it, and used.
func TestRepairDirectoryMadeByOthers(t *testing.T) {
	for _, c := range []struct {
		name, script string
		distinct     bool // the new directory surely has another inode number than the old
	}{
		{"removed, then made", "rm -rf mod && mkdir -m 700 mod", false},
		{"moved away, another made", "mv mod mod.old && mkdir -m 700 mod", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := openTemp(t)
			if err := d.WriteStatus(Status{Want: WantUp, PID: 1}); err != nil {
				t.Fatal(err)
			}
			shell(t, filepath.Dir(d.Path()), c.script)
			if c.distinct {
				if err := d.WriteStatus(Status{Want: WantUp, PID: 2}); !errors.Is(err, errReplaced) {
					t.Errorf("WriteStatus into the new directory before Repair = %v, want errReplaced", err)
				}
				if _, err := os.Lstat(filepath.Join(d.Path(), "status")); !os.IsNotExist(err) {
					t.Errorf("the status file was written in a directory the Dir does not hold: %v", err)
				}
				if st, err := ReadStatus(d.Path() + ".old"); err != nil || st.PID != 1 {
					t.Errorf("status moved away = %+v, %v; want it untouched", st, err)
				}
			}
			got, err := d.Repair()
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"lock", "control", "ok"} {
				if !slices.Contains(got, want) {
					t.Errorf("Repair recreated %q, want %s among them", got, want)
				}
			}
			if c.distinct && !slices.Contains(got, "directory") {
				t.Errorf("Repair recreated %q, want the directory among them", got)
			}
			if pid, ok := LockHolder(d.Path()); !ok || pid != os.Getpid() {
				t.Errorf("LockHolder = %d, %v", pid, ok)
			}
			if !Supervised(d.Path()) {
				t.Error("not Supervised")
			}
			sendAndRead(t, d, "d")
			if err := d.WriteStatus(Status{Want: WantDown, PID: 3}); err != nil {
				t.Fatal(err)
			}
			if st, err := ReadStatus(d.Path()); err != nil || st.PID != 3 {
				t.Errorf("ReadStatus = %+v, %v; want pid 3", st, err)
			}
			repair(t, d) // nothing more to do
		})
	}
}

// A link put in place of the Dir's directory is refused at every use, as at
// Open, and by Repair; once it is removed, Repair makes the directory again.
func TestLinkInPlaceOfTheDirectoryIsRefused(t *testing.T) {
	d := openTemp(t)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.Mkdir(victim, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(d.Path(), d.Path()+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, d.Path()); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteStatus(Status{Want: WantUp, PID: 5}); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("WriteStatus through the link = %v, want a refusal that names the link", err)
	}
	if err := d.WriteState(State{State: RunUp}); err == nil {
		t.Error("WriteState through the link succeeded")
	}
	d.Notice("through the link?")
	if f, err := d.OpenFile("__stdout", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err == nil {
		f.Close()
		t.Error("OpenFile through the link succeeded")
	}
	if _, err := d.Repair(); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("Repair over the link = %v, want a refusal", err)
	}
	assertEmpty(t, victim)

	if err := os.Remove(d.Path()); err != nil {
		t.Fatal(err)
	}
	repair(t, d, "directory", "lock", "control", "ok")
	if err := d.WriteStatus(Status{Want: WantUp, PID: 5}); err != nil {
		t.Fatal(err)
	}
	if st, err := ReadStatus(d.Path()); err != nil || st.PID != 5 {
		t.Errorf("ReadStatus = %+v, %v; want pid 5", st, err)
	}
	assertEmpty(t, victim)
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
