package manifest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"svman/internal/testkit"
)

// file() of a FIFO, a device or a directory is a diagnostic at the argument, at
// once: nothing writes to the FIFO, and a load that waited for a writer would
// freeze whoever loads (svman up on a reload, check, status, ctl).
func TestFileRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, "sub"), 0o700)
	src := "module \"web\" {\n  command = [\"x\"]\n  env = {\n    A = file(\"pipe\")\n    B = file(\"/dev/zero\")\n    C = file(\"sub\")\n  }\n}\n"
	path := filepath.Join(dir, "supervise.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Load(path)
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-testkit.Within():
		t.Fatal("Load of a manifest whose file() names a FIFO has not returned")
	}
	var de *DiagError
	if !errors.As(err, &de) {
		t.Fatalf("Load = %v, want diagnostics", err)
	}
	var text bytes.Buffer
	de.WriteText(&text, false)
	for _, want := range []string{
		path + `:4:15: error: Invalid function argument`,
		`cannot read "pipe": it is a FIFO (named pipe), not a regular file. file() reads only regular files, of at most 8 MiB`,
		path + `:5:15: error: Invalid function argument`,
		`cannot read "/dev/zero": it is a character device, not a regular file.`,
		path + `:6:15: error: Invalid function argument`,
		`cannot read "sub": it is a directory, not a regular file.`,
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("diagnostics lack %q:\n%s", want, text.String())
		}
	}
}

// file() reads at most maxFileSize bytes, and says so when a file is larger.
func TestFileSizeCap(t *testing.T) {
	dir := t.TempDir()
	big, err := os.Create(filepath.Join(dir, "big"))
	if err != nil {
		t.Fatal(err)
	}
	big.Truncate(maxFileSize + 1) // sparse: nothing is written
	big.Close()
	os.WriteFile(filepath.Join(dir, "small"), bytes.Repeat([]byte("a"), 100), 0o644)
	path := filepath.Join(dir, "supervise.hcl")
	os.WriteFile(path, []byte("module \"web\" {\n  command = [\"x\"]\n  env = { A = file(\"big\"), B = file(\"small\") }\n}\n"), 0o644)
	_, err = Load(path)
	if err == nil || !strings.Contains(err.Error(), `cannot read "big": file too large`) || !strings.Contains(err.Error(), "file() reads files of at most 8 MiB") {
		t.Errorf("Load = %v, want file() refusing the large file", err)
	}
	var de *DiagError
	if errors.As(err, &de) && len(de.Diags) != 1 {
		t.Errorf("%d diagnostics, want 1 (the small file is fine): %v", len(de.Diags), err)
	}
}
