package engine

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"svman/internal/proc"
	"svman/internal/testkit"
	"svman/manifest"
)

// asNobody runs argv as the unprivileged user nobody (the attacker), through the
// test's reaper (which would take the exit from os/exec's Wait), and returns its
// output and whether it succeeded.
func asNobody(t *testing.T, argv ...string) (string, bool) {
	t.Helper()
	path, err := exec.LookPath(argv[0])
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, exited, err := testReaper.Spawn(proc.SpawnSpec{
		Path: path, Argv: argv, Dir: "/", Files: [3]*os.File{nil, w, w},
		Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}},
	})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(r)
	return string(out), (<-exited).Success()
}

// A module's status directory made 0755 by hand (`mkdir -p status/api`) is
// closed up to 0700, which the console hears once; its output and its settings
// are 0600, nobody reads either, and module.json holds no env value.
func TestReadableStatusDirIsClosedUp(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the attack runs as nobody against svman as root")
	}
	h := newHarness(t)
	for _, p := range []string{filepath.Dir(h.status), h.status} {
		os.Chmod(p, 0o755) // nobody may reach the status directory, and no further
	}
	dir := filepath.Join(h.status, "api")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	h.apply(h.module("api", "showenv", map[string]string{"VALUE": "hunter2"}))
	h.waitUp("api")
	stdout := filepath.Join(dir, "__stdout")
	testkit.WaitFor(t, "the secret in __stdout", func() bool {
		b, _ := os.ReadFile(stdout)
		return strings.Contains(string(b), "VALUE=hunter2")
	})
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("status directory mode %v, %v; want 0700", fi.Mode(), err)
	}
	if _, ok := asNobody(t, "cat", "/proc/self/status"); !ok {
		t.Fatal("nobody cannot run cat at all: the reads below would prove nothing")
	}
	for _, name := range []string{"__stdout", "module.json", "status", "supervise.log"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, %v; want 0600", name, fi.Mode(), err)
		}
		if out, ok := asNobody(t, "cat", p); ok {
			t.Errorf("nobody read %s: %q", name, out)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "module.json")); err != nil || strings.Contains(string(b), "hunter2") {
		t.Errorf("module.json = %s, %v; want no env value in it", b, err)
	}
	var said int
	for _, ev := range h.ev.find("api", Warning) {
		if strings.Contains(ev.Err.Error(), "was mode 0755") {
			said++
		}
	}
	if said != 1 {
		t.Errorf("the console heard %d times that the directory was closed up, want once", said)
	}
}

// A status_dir anyone may write into is refused, with how to fix it, and
// nothing is started.
func TestWorldWritableStatusDirIsRefused(t *testing.T) {
	h := newHarness(t)
	if err := os.Chmod(h.status, 0o1777); err != nil {
		t.Fatal(err)
	}
	m := h.module("api", "showenv", nil)
	_, err := h.e.Apply(&manifest.Manifest{StatusDir: h.status, Modules: []manifest.Module{m}})
	if err == nil || !strings.Contains(err.Error(), "writable by others") || !strings.Contains(err.Error(), "chmod o-w") {
		t.Fatalf("Apply = %v, want a refusal that says how to fix it", err)
	}
	if _, err := os.Lstat(filepath.Join(h.status, "api")); err == nil {
		t.Error("the module's directory was created")
	}
}

// A link nobody planted in a status_dir its group may write, in place of a
// module's directory, is refused with a clear message, and svman writes nothing
// where it points.
func TestPlantedLinkIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the attack runs as nobody against svman as root")
	}
	h := newHarness(t)
	root := filepath.Dir(h.status)
	victim := filepath.Join(root, "victim")
	if err := os.Mkdir(victim, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(root, 0o755)
	os.Chown(h.status, 0, 65534)
	os.Chmod(h.status, 0o770)
	if out, ok := asNobody(t, "ln", "-s", victim, filepath.Join(h.status, "api")); !ok {
		t.Fatalf("nobody cannot plant the link: %s", out)
	}
	_, err := h.e.Apply(&manifest.Manifest{StatusDir: h.status, Modules: []manifest.Module{h.module("api", "showenv", nil)}})
	if err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
		t.Errorf("Apply = %v, want the link refused", err)
	}
	if ents, _ := os.ReadDir(victim); len(ents) != 0 {
		t.Errorf("svman wrote in the link's target: %v", ents)
	}
}
