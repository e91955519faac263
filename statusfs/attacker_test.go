package statusfs

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// The uid and gid of `nobody`, the unprivileged user the security tests attack
// svman as.
const nobodyID = 65534

// needRoot skips a test that runs svman as root and the attacker as nobody.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: the attack runs as nobody against svman as root")
	}
}

// asNobody is the command name args run as uid and gid nobody, with no
// supplementary groups: the attacker.
func asNobody(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobodyID, Gid: nobodyID, Groups: []uint32{}}}
	return cmd
}

// reachable returns a fresh directory that nobody can reach (its parents are
// searchable): a TempDir is 0700 under a 0700 parent.
func reachable(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sharedStatusDir makes root/status, which the group nobody's gid may write
// into (as operators in one group might share it), and root/victim, a
// directory of root's that must stay empty.
func sharedStatusDir(t *testing.T) (status, victim string) {
	t.Helper()
	root := reachable(t)
	status, victim = filepath.Join(root, "status"), filepath.Join(root, "victim")
	for _, d := range []string{status, victim} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(status, 0, nobodyID); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(status, 0o770); err != nil {
		t.Fatal(err)
	}
	return status, victim
}

// assertEmpty fails the test if anything was created in dir.
func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("%s was created in %s", e.Name(), dir)
	}
}
