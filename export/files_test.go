package export

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	if removed, err := WriteDir(dir, header, first, 0o644); err != nil || removed != nil {
		t.Fatalf("first WriteDir: removed %v, %v", removed, err)
	}
	mustWrite(t, filepath.Join(dir, "svman-mine.service"), "# written by hand\n")
	mustWrite(t, filepath.Join(dir, "svman-db.service"), other+"db\n")
	removed, err := WriteDir(dir, header, []File{{"svman-web.service", []byte(header + "web 2\n")}}, 0o600)
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
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && name == "svman-web.service" && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600: the second export held a secret", name, fi.Mode().Perm())
		}
	}
}

func mustWrite(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A file in the way that an export of the manifest did not write (by hand,
// by an export of another manifest, a link) is never overwritten: nothing is
// written, nothing pruned, and the error names each such file, where it
// came from, and what to do.
func TestWriteDirRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	header := Header("#", "/srv/app/supervise.hcl")
	other := Header("#", "/srv/other/supervise.hcl")
	before := map[string]string{
		"svman-web.service":  "# written by hand\n",
		"svman-shop.target":  other + "shop\n",
		"svman-old.service":  header + "old\n",
		"svman-mine.service": header + "mine 1\n",
	}
	for name, data := range before {
		mustWrite(t, filepath.Join(dir, name), data)
	}
	if err := os.Symlink("/dev/null", filepath.Join(dir, "svman-masked.service")); err != nil {
		t.Fatal(err)
	}
	files := []File{
		{"svman-mine.service", []byte(header + "mine 2\n")},
		{"svman-new.service", []byte(header + "new\n")},
		{"svman-web.service", []byte(header + "web\n")},
		{"svman-shop.target", []byte(header + "shop\n")},
		{"svman-masked.service", []byte(header + "masked\n")},
	}
	removed, err := WriteDir(dir, header, files, 0o644)
	if err == nil || removed != nil {
		t.Fatalf("WriteDir over foreign files: removed %q, error %v; want an error and nothing removed", removed, err)
	}
	var foreign *ForeignFilesError
	if !errors.As(err, &foreign) {
		t.Errorf("the error is a %T, want a *ForeignFilesError", err)
	} else if want := []ForeignFile{
		{Name: "svman-web.service", Regular: true},
		{Name: "svman-shop.target", From: "/srv/other/supervise.hcl", Regular: true},
		{Name: "svman-masked.service"},
	}; !slices.Equal(foreign.Files, want) {
		t.Errorf("foreign files %+v, want %+v", foreign.Files, want)
	}
	for _, want := range []string{
		"nothing written to " + dir + ": the export of /srv/app/supervise.hcl would overwrite files it did not write:",
		filepath.Join(dir, "svman-web.service") + ": not written by svman export",
		filepath.Join(dir, "svman-shop.target") + ": written by svman export from /srv/other/supervise.hcl",
		filepath.Join(dir, "svman-masked.service") + ": not a regular file",
		"Export into another directory; or give another --project",
		"or remove the file",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q:\n%v", want, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(before)+1 {
		t.Errorf("%s holds %v, want only the files that were there", dir, entries)
	}
	for name, data := range before {
		if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(got) != data {
			t.Errorf("%s = %q (%v), want it untouched: %q", name, got, err, data)
		}
	}
}
