package statusfs

import (
	"os"
	"path/filepath"
	"testing"
)

// A LockTable tells the holder of a status directory's lock as LockHolder
// does, and no holder for one nobody holds.
func TestLockTable(t *testing.T) {
	root := t.TempDir()
	d, err := Open(filepath.Join(root, "web"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := os.MkdirAll(filepath.Join(root, "free"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "free", lockName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tab := ReadLocks()
	pid, ok := tab.LockHolder(filepath.Join(root, "web"))
	if want, wok := LockHolder(filepath.Join(root, "web")); !ok || pid != os.Getpid() || pid != want || !wok {
		t.Errorf("LockTable: %d %v; LockHolder %d %v; want %d", pid, ok, want, wok, os.Getpid())
	}
	if pid, ok := tab.LockHolder(filepath.Join(root, "free")); ok {
		t.Errorf("a lock nobody holds: held by %d", pid)
	}
}
