package statusfs

import (
	"path/filepath"
	"testing"
)

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
