package export

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A second export of the same manifest replaces its files and removes the
// ones it no longer makes; files people wrote, and another manifest's
// export, stay.
func TestWriteDirPrunesOnlyItsOwnFiles(t *testing.T) {
	dir := t.TempDir()
	header := Header("#", "/srv/app/supervise.hcl")
	other := Header("#", "/srv/other/supervise.hcl")
	first := []File{{"svman-web.service", []byte(header + "web 1\n")}, {"svman-old.service", []byte(header + "old\n")}}
	if removed, err := WriteDir(dir, header, first); err != nil || removed != nil {
		t.Fatalf("first WriteDir: removed %v, %v", removed, err)
	}
	mustWrite(t, filepath.Join(dir, "svman-mine.service"), "# written by hand\n")
	mustWrite(t, filepath.Join(dir, "svman-db.service"), other+"db\n")
	removed, err := WriteDir(dir, header, []File{{"svman-web.service", []byte(header + "web 2\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(removed, []string{"svman-old.service"}) {
		t.Errorf("removed %q, want only svman-old.service", removed)
	}
	want := map[string]string{
		"svman-web.service":  header + "web 2\n",
		"svman-mine.service": "# written by hand\n",
		"svman-db.service":   other + "db\n",
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) {
		t.Errorf("%s holds %d files, want %d (no temporary file left): %v", dir, len(entries), len(want), entries)
	}
	for name, data := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != data {
			t.Errorf("%s = %q (%v), want %q", name, got, err, data)
		}
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && name == "svman-web.service" && fi.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v, want 0644: systemd and nomad read it as another user", name, fi.Mode().Perm())
		}
	}
}

func mustWrite(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
