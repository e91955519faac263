package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loadDiag loads path, expecting a *DiagError with one diagnostic that names the
// path in its detail, and returns that diagnostic's summary and detail.
func loadDiag(t *testing.T, path string) (summary, detail string) {
	t.Helper()
	m, err := Load(path)
	if err == nil {
		t.Fatalf("Load(%q) = %+v, want an error", path, m)
	}
	var de *DiagError
	if !errors.As(err, &de) {
		t.Fatalf("error is %T, want *DiagError: %v", err, err)
	}
	if len(de.Diags) != 1 {
		t.Fatalf("got %d diagnostics, want 1: %v", len(de.Diags), err)
	}
	d := de.Diags[0]
	if !strings.Contains(d.Detail, path) {
		t.Errorf("detail %q does not name the path %q", d.Detail, path)
	}
	if !strings.Contains(err.Error(), d.Summary) {
		t.Errorf("Error() = %q, missing the summary %q", err.Error(), d.Summary)
	}
	return d.Summary, d.Detail
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.hcl")
	if s, _ := loadDiag(t, path); s != "Manifest not found" {
		t.Errorf("summary = %q", s)
	}
}

func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	s, d := loadDiag(t, dir)
	if s != "Manifest is a directory" || !strings.Contains(d, filepath.Join(dir, "supervise.hcl")) {
		t.Errorf("got %q: %q", s, d)
	}
}

func TestLoadUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which can read a file whatever its mode: cannot make one unreadable")
	}
	path := filepath.Join(t.TempDir(), "secret.hcl")
	if err := os.WriteFile(path, []byte(`module "a" { command = ["x"] }`), 0o000); err != nil {
		t.Fatal(err)
	}
	s, d := loadDiag(t, path)
	if s != "Cannot read manifest" || !strings.Contains(d, "permission denied") {
		t.Errorf("got %q: %q", s, d)
	}
}

func TestLoadOversize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.hcl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: the size check must come before reading it all.
	if err := f.Truncate(maxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if s, _ := loadDiag(t, path); s != "Manifest too large" {
		t.Errorf("summary = %q", s)
	}
}

func TestReadLimited(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := readLimited(path, 5); err != nil || string(data) != "12345" {
		t.Errorf("at the limit: %q, %v", data, err)
	}
	if _, err := readLimited(path, 4); !errors.Is(err, errTooLarge) {
		t.Errorf("over the limit: err = %v, want errTooLarge", err)
	}
}

// TestLoadNonRegular reads a manifest that is not a regular file, as
// /dev/stdin or <(...) would be: the size check cannot rely on Stat there.
func TestLoadNonRegular(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	// /dev/zero never ends: Load must stop at the limit instead of reading forever.
	if s, _ := loadDiag(t, "/dev/zero"); s != "Manifest too large" {
		t.Errorf("summary = %q", s)
	}
}

// A symlinked manifest loads like its target, but relative paths start at the
// link's directory (where the operator put it); a dangling link is "not found".
func TestLoadSymlink(t *testing.T) {
	real := filepath.Join(t.TempDir(), "real.hcl")
	os.WriteFile(real, []byte("module \"web\" {\n  command = [\"x\"]\n}\n"), 0o644)
	linkDir := t.TempDir()
	link := filepath.Join(linkDir, "supervise.hcl")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	m, err := Load(link)
	if err != nil {
		t.Fatal(err)
	}
	if m.StatusDir != filepath.Join(linkDir, "status") || len(m.Modules) != 1 {
		t.Errorf("loaded %+v", m)
	}
	dangling := filepath.Join(linkDir, "dangling.hcl")
	os.Symlink(filepath.Join(linkDir, "gone.hcl"), dangling)
	if s, _ := loadDiag(t, dangling); s != "Manifest not found" {
		t.Errorf("dangling link: %q", s)
	}
}
