package statusfs

import (
	"path/filepath"
	"testing"
	"time"
)

// waitFor polls cond until it holds, failing the test at the deadline. Tests wait on
// conditions this way, never on fixed sleeps.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// openTemp opens a fresh status directory status/NAME under a temp dir and closes it
// at the end of the test.
func openTemp(t *testing.T) *Dir {
	t.Helper()
	d, err := Open(filepath.Join(t.TempDir(), "status", "mod"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
