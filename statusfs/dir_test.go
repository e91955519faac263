package statusfs

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func perm(t *testing.T, p string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

func TestOpenCreatesLayout(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "status", "mod")
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Path() != path {
		t.Errorf("Path() = %q, want %q", d.Path(), path)
	}
	for _, c := range []struct {
		name string
		want fs.FileMode
	}{
		{filepath.Join(root, "status"), fs.ModeDir | 0o700},
		{path, fs.ModeDir | 0o700},
		{filepath.Join(path, "control"), fs.ModeNamedPipe | 0o600},
		{filepath.Join(path, "ok"), fs.ModeNamedPipe | 0o600},
	} {
		if got := perm(t, c.name); got != c.want {
			t.Errorf("mode of %s = %v, want %v", c.name, got, c.want)
		}
	}
	if m := perm(t, filepath.Join(path, "lock")); !m.IsRegular() || m.Perm()&^0o644 != 0 {
		t.Errorf("mode of lock = %v, want a regular file, at most 0644", m)
	}
	if pid, ok := LockHolder(path); !ok || pid != os.Getpid() {
		t.Errorf("LockHolder = %d, %v; want %d, true", pid, ok, os.Getpid())
	}
}

// flock locks belong to the open file description, so a second Open in the same
// process conflicts as a second supervisor would.
func TestOpenTwiceIsLocked(t *testing.T) {
	d := openTemp(t)
	d2, err := Open(d.Path())
	if err == nil {
		d2.Close()
		t.Fatal("second Open succeeded")
	}
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second Open: %v (%T), want *LockedError", err, err)
	}
	if le.PID != os.Getpid() || le.Dir != d.Path() {
		t.Errorf("LockedError = %+v, want pid %d dir %s", le, os.Getpid(), d.Path())
	}
	want := "status directory " + d.Path() + " is in use by pid " + strconv.Itoa(os.Getpid()) +
		" (another svman or supervise supervises this module); stop it first or use another status_dir"
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	// The failed Open must not have disturbed the holder.
	if !Supervised(d.Path()) {
		t.Error("not Supervised after a failed second Open")
	}
	if pid, ok := LockHolder(d.Path()); !ok || pid != os.Getpid() {
		t.Errorf("LockHolder = %d, %v", pid, ok)
	}

	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := LockHolder(d.Path()); ok {
		t.Error("lock still held after Close")
	}
	d3, err := Open(d.Path())
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	d3.Close()
}

func TestLockedErrorUnknownPID(t *testing.T) {
	err := &LockedError{Dir: "/x/status/m"}
	want := "status directory /x/status/m is in use by another process (another svman or supervise supervises this module); stop it first or use another status_dir"
	if err.Error() != want {
		t.Errorf("Error() = %q", err.Error())
	}
}

// fuser names the supervisor and only it: a child started while the Dir is open must
// not inherit the lock or the FIFOs.
func TestFuserNamesOnlySupervisor(t *testing.T) {
	fuser, err := exec.LookPath("fuser")
	if err != nil {
		t.Skip("fuser not installed")
	}
	d := openTemp(t)
	child := exec.Command("cat")
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); child.Wait() }()

	for _, name := range []string{"lock", "control", "ok"} {
		// fuser prints the pids on stdout and the file name on stderr.
		out, err := exec.Command(fuser, filepath.Join(d.Path(), name)).Output()
		if err != nil {
			t.Fatalf("fuser %s: %v", name, err)
		}
		if got := strings.Fields(string(out)); len(got) != 1 || got[0] != strconv.Itoa(os.Getpid()) {
			t.Errorf("fuser %s = %q, want only our pid %d (child %d must not appear)", name, out, os.Getpid(), child.Process.Pid)
		}
	}
}

func TestOpenRefusesWritableDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mod")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o777); err != nil {
		t.Fatal(err)
	}
	d, err := Open(path)
	if err == nil {
		d.Close()
		t.Fatal("Open accepted a world-writable directory")
	}
	for _, s := range []string{"writable by group or others", "0777", "chmod go-w " + path} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	if _, err := os.Lstat(filepath.Join(path, "lock")); !os.IsNotExist(err) {
		t.Errorf("refused directory got a lock file: %v", err)
	}
	// Fixed as the error says, it is accepted.
	if err := os.Chmod(path, 0o755); err != nil {
		t.Fatal(err)
	}
	d, err = Open(path)
	if err != nil {
		t.Fatalf("Open after chmod go-w: %v", err)
	}
	d.Close()
}

func TestOpenRefusesOtherOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a directory to another user")
	}
	path := filepath.Join(t.TempDir(), "mod")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	d, err := Open(path)
	if err == nil {
		d.Close()
		t.Fatal("Open accepted a directory of another user")
	}
	if !strings.Contains(err.Error(), "owned by uid 65534") {
		t.Errorf("error %q does not say who owns it", err)
	}
}

// A failed Open leaves nothing locked or open.
func TestOpenUndoesOnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mod")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "ok"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := Open(path)
	if err == nil {
		d.Close()
		t.Fatal("Open accepted a regular file named ok")
	}
	if !strings.Contains(err.Error(), "not a FIFO") {
		t.Errorf("error %q does not say ok is not a FIFO", err)
	}
	if _, ok := LockHolder(path); ok {
		t.Error("lock still held after a failed Open")
	}
	if Supervised(path) {
		t.Error("Supervised after a failed Open")
	}
	if err := os.Remove(filepath.Join(path, "ok")); err != nil {
		t.Fatal(err)
	}
	d, err = Open(path)
	if err != nil {
		t.Fatalf("Open once fixed: %v", err)
	}
	d.Close()
}

func TestOpenRefusesWritableFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mod")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	control := filepath.Join(path, "control")
	if err := exec.Command("mkfifo", "-m", "0666", control).Run(); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	d, err := Open(path)
	if err == nil {
		d.Close()
		t.Fatal("Open accepted a world-writable control FIFO")
	}
	if !strings.Contains(err.Error(), "chmod 0600 "+control) {
		t.Errorf("error %q does not say how to fix it", err)
	}
}

func TestCloseTwice(t *testing.T) {
	d := openTemp(t)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second Close = %v, want os.ErrClosed", err)
	}
	if err := d.WriteStatus(Status{}); !errors.Is(err, os.ErrClosed) {
		t.Errorf("WriteStatus after Close = %v, want os.ErrClosed", err)
	}
}
