package statusfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"svman/manifest"
)

// A link nobody planted in place of a module's directory is refused, with a
// message that says why, and nothing is written where it points.
func TestPlantedLinkIsRefused(t *testing.T) {
	needRoot(t)
	status, victim := sharedStatusDir(t)
	api := filepath.Join(status, "api")
	if out, err := asNobody("ln", "-s", "../victim", api).CombinedOutput(); err != nil {
		t.Fatalf("nobody cannot plant the link: %v %s", err, out)
	}
	d, err := Open(api)
	if err == nil {
		d.Close()
		t.Fatal("Open followed the link")
	}
	if !strings.Contains(err.Error(), "is a symbolic link") {
		t.Errorf("error = %v, want it to name the link", err)
	}
	AppendLog(api, "FATAL", "cannot supervise") // what supervise does next
	assertEmpty(t, victim)
}

// A directory swapped for a link after Open is refused at every use, as at
// Open: nothing is written where the link points, nor in the directory moved
// away, and Repair refuses the link too.
func TestSwapAfterOpenIsRefused(t *testing.T) {
	needRoot(t)
	status, victim := sharedStatusDir(t)
	api := filepath.Join(status, "api")
	d, err := Open(api)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.WriteStatus(Status{Want: WantUp, PID: 41}); err != nil {
		t.Fatal(err)
	}
	if out, err := asNobody("sh", "-c", `mv "$1" "$1.away" && ln -s ../victim "$1"`, "sh", api).CombinedOutput(); err != nil {
		t.Fatalf("nobody cannot swap the directory: %v %s", err, out)
	}
	if err := d.WriteStatus(Status{Want: WantUp, PID: 42}); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("WriteStatus through the link = %v, want a refusal that names the link", err)
	}
	d.Notice("after the swap")
	if f, err := d.OpenFile("__stdout", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err == nil {
		f.Close()
		t.Error("OpenFile through the link succeeded")
	}
	if _, err := d.Repair(); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("Repair over a planted link = %v, want a refusal", err)
	}
	assertEmpty(t, victim)
	if st, err := ReadStatus(api + ".away"); err != nil || st.PID != 41 {
		t.Errorf("status in the directory moved away = %+v, %v; want the one written before the swap", st, err)
	}
	if _, err := os.Lstat(filepath.Join(api+".away", "supervise.log")); err == nil {
		t.Error("svman wrote supervise.log in the directory moved away")
	}
}

// A status_dir others may write into is refused, sticky bit or not, with the fix.
func TestWorldWritableStatusDirIsRefused(t *testing.T) {
	for _, mode := range []os.FileMode{0o777, 0o777 | os.ModeSticky} {
		status := filepath.Join(t.TempDir(), "status")
		if err := os.Mkdir(status, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(status, mode); err != nil {
			t.Fatal(err)
		}
		_, err := Open(filepath.Join(status, "api"))
		if err == nil || !strings.Contains(err.Error(), "writable by others") || !strings.Contains(err.Error(), "chmod o-w "+status) {
			t.Errorf("mode %v: Open = %v, want a refusal that says how to fix it", mode, err)
		}
		if _, err := os.Lstat(filepath.Join(status, "api")); err == nil {
			t.Errorf("mode %v: the module's directory was created", mode)
		}
	}
}

// A 0755 directory (`mkdir -p status/api`) is closed up to 0700, once, with a
// NOTICE; every file svman makes is 0600, and nobody can read any of them.
func TestReadableDirIsClosedUp(t *testing.T) {
	needRoot(t)
	api := filepath.Join(reachable(t), "status", "api")
	if err := os.MkdirAll(api, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(api, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	// An older svman left a world-readable log.
	if err := os.WriteFile(filepath.Join(api, "supervise.log"), []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Open(api)
	if err != nil {
		t.Fatal(err)
	}
	if d.FixedMode() != 0o755 {
		t.Errorf("FixedMode = %#o, want 0755", d.FixedMode())
	}
	d.WriteStatus(Status{Want: WantUp})
	d.WriteApplied(manifest.Module{Name: "api"})
	d.WriteState(State{State: RunUp})
	d.Warning("a warning")
	d.Close()
	if m := perm(t, api); m.Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", m)
	}
	if err := asNobody("cat", "/proc/self/status").Run(); err != nil {
		t.Fatalf("nobody cannot run cat at all (%v): the reads below would prove nothing", err)
	}
	for _, name := range []string{"lock", "control", "ok", "status", "module.json", "state.json", "supervise.log", "supervise.log.wf"} {
		if m := perm(t, filepath.Join(api, name)); m.Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, m)
		}
		if out, err := asNobody("cat", filepath.Join(api, name)).CombinedOutput(); err == nil {
			t.Errorf("nobody read %s: %q", name, out)
		}
	}
	log, _ := os.ReadFile(filepath.Join(api, "supervise.log"))
	if n := strings.Count(string(log), "was mode 0755"); n != 1 {
		t.Errorf("supervise.log says %d times that the mode was fixed:\n%s", n, log)
	}
	d, err = Open(api)
	if err != nil {
		t.Fatal(err)
	}
	if d.FixedMode() != 0 {
		t.Errorf("second Open: FixedMode = %#o, want 0", d.FixedMode())
	}
	d.Close()
}

// A log mode of 0640 makes the directory 0750 and the logs 0640: the group
// reads the logs, and still writes nothing.
func TestGroupReadableLogMode(t *testing.T) {
	d, err := OpenWith(filepath.Join(t.TempDir(), "status", "api"), Options{LogMode: 0o640})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Notice("hello")
	d.WriteStatus(Status{})
	if m := perm(t, d.Path()); m.Perm() != 0o750 {
		t.Errorf("directory mode %v, want 0750", m)
	}
	if m := perm(t, filepath.Join(d.Path(), "supervise.log")); m.Perm() != 0o640 {
		t.Errorf("supervise.log mode %v, want 0640", m)
	}
	if m := perm(t, filepath.Join(d.Path(), "status")); m.Perm() != 0o600 {
		t.Errorf("status mode %v, want 0600", m)
	}
	if err := d.SetOptions(Options{}); err != nil {
		t.Fatal(err)
	}
	d.Notice("private again")
	if m := perm(t, d.Path()); m.Perm() != 0o700 {
		t.Errorf("directory mode after SetOptions %v, want 0700", m)
	}
	if m := perm(t, filepath.Join(d.Path(), "supervise.log")); m.Perm() != 0o600 {
		t.Errorf("supervise.log mode after SetOptions %v, want 0600", m)
	}
}

// svman ctl (SendControl) and Supervised never follow a link in place of control
// or ok: a link to another module's FIFO would have the command sent there.
func TestClientRefusesLinkedFIFOs(t *testing.T) {
	other := openTemp(t)
	dir := filepath.Join(t.TempDir(), "linked")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"control", "ok"} {
		if err := os.Symlink(filepath.Join(other.Path(), name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := SendControl(dir, []byte("d")); err == nil {
		t.Error("SendControl wrote through a link")
	}
	if Supervised(dir) {
		t.Error("Supervised followed a link to ok")
	}
	if n, err := other.TryReadControl(make([]byte, 8)); n != 0 || err != nil {
		t.Errorf("the other module's control got %d bytes (%v)", n, err)
	}
}
