package logfiles

import (
	"os"
	"path/filepath"
	"testing"
)

// A log an older svman left 0644 becomes private when opened; a new mode applies
// at once; and a link in place of the file is never followed.
func TestFileMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "__stdout")
	if err := os.WriteFile(p, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mode := func() os.FileMode {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	f, err := OpenFile(p, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o600 {
		t.Errorf("mode after open %v, want 0600", m)
	}
	f.SetOptions(FileOptions{Mode: 0o640})
	if m := mode(); m != 0o640 {
		t.Errorf("mode after SetOptions %v, want 0640", m)
	}
	f.Close()

	target := filepath.Join(dir, "target")
	os.WriteFile(target, nil, 0o600)
	link := filepath.Join(dir, "__stderr")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFile(link, FileOptions{}); err == nil {
		t.Error("OpenFile followed a link")
	}
}
