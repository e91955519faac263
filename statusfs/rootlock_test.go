package statusfs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// svman up's lock on status_dir names it while held, refuses a second
// holder, and names nobody once released.
func TestHoldRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "status")
	f, err := HoldRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	if pid, ok := RootHolder(root); !ok || pid != os.Getpid() {
		t.Errorf("RootHolder = %d, %v; want this process, %d", pid, ok, os.Getpid())
	}
	if _, err := HoldRoot(root); !errors.Is(err, ErrRootHeld) {
		t.Errorf("a second HoldRoot: %v, want ErrRootHeld", err)
	}
	f.Close()
	if pid, ok := RootHolder(root); ok {
		t.Errorf("RootHolder = %d after the release, want none", pid)
	}
	if err := os.Chmod(root, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := HoldRoot(root); err == nil || errors.Is(err, ErrRootHeld) {
		t.Errorf("HoldRoot of a status_dir others may write: %v, want it refused", err)
	}
}
