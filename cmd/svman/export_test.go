package main

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exportManifest has a module whose alarm webhook systemd cannot call at
// every exit: a note, at the alarm block.
const exportManifest = `module "api" {
  command = ["/bin/sleep", "1000"]
  alarm {
    webhook = "https://hooks.example.com/svman"
  }
}

module "worker" {
  command = ["/bin/sleep", "1000"]
}
`

// exportCmd runs svman export as its own process, as a user would, and
// returns its exit code and output.
func exportCmd(t *testing.T, p *project, args ...string) (int, string, string) {
	t.Helper()
	return p.process(nil, append([]string{"export"}, args...)...)
}

// --strict refuses to write units that lose what the manifest says: exit 1,
// the note as an error at the manifest's line, and no directory made.
func TestExportStrictWritesNothing(t *testing.T) {
	p := newProject(t, exportManifest)
	out := filepath.Join(p.dir, "units")
	code, stdout, stderr := exportCmd(t, p, "systemd", "--strict", "-f", p.manifestPath(), "-o", out)
	if code != exitFailure {
		t.Errorf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, exitFailure, stdout, stderr)
	}
	for _, want := range []string{
		p.manifestPath() + ":3:3: error: Alarms only when the unit fails",
		"1 difference above: nothing written (--strict)",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("--strict made %s (%v)", out, err)
	}
}

// Without --strict the notes are warnings and the units are written; a
// later export removes the unit of a module since removed, and leaves a
// unit people wrote alone.
func TestExportWritesAndPrunes(t *testing.T) {
	p := newProject(t, exportManifest)
	out := filepath.Join(p.dir, "units")
	code, stdout, stderr := exportCmd(t, p, "systemd", "-f", p.manifestPath(), "-o", out, "--project", "shop")
	if code != exitOK || !strings.Contains(stderr, ":3:3: warning: Alarms only when the unit fails") {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if want := "wrote 4 units to " + out + "\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	for _, name := range []string{"svman-api.service", "svman-worker.service", "svman-shop.target", "svman-shop-alarm@.service"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	mine := filepath.Join(out, "mine.service")
	if err := os.WriteFile(mine, []byte("[Service]\nExecStart=/bin/true\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	p.write(strings.Replace(exportManifest, `module "worker"`, `module "consumer"`, 1))
	code, stdout, stderr = exportCmd(t, p, "systemd", "-f", p.manifestPath(), "-o", out, "--project", "shop")
	if code != exitOK {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if want := "svman export: removed " + filepath.Join(out, "svman-worker.service") + ", which an earlier export of " + p.manifestPath() + " wrote\n"; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "svman-worker.service")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the unit of the removed module is still there (%v)", err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("the unit people wrote is gone: %v", err)
	}
}

// Without -o the units are printed, each after a line naming it.
func TestExportPrints(t *testing.T) {
	p := newProject(t, exportManifest)
	code, stdout, stderr := exportCmd(t, p, "systemd", "-f", p.manifestPath(), "--project", "shop")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if want := "# svman-api.service\n# Made by svman export from " + p.manifestPath(); !strings.HasPrefix(stdout, want) {
		t.Errorf("stdout does not start with %q:\n%s", want, stdout)
	}
	for _, want := range []string{
		"\nOnFailure=svman-shop-alarm@api.service\n",
		"\n# svman-shop-alarm@.service\n# Made by svman export from ",
		"\n# svman-shop.target\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

// Two manifests exported into one directory: the second export does not
// overwrite a unit of the first (a module of the same name, the project's
// target and alarm template under the same --project), writes nothing, and
// says which files are in its way and whose they are. With other names,
// both keep their units, each its own alarm template.
func TestExportRefusesAnotherManifestsUnits(t *testing.T) {
	shop := newProject(t, exportManifest)
	out := filepath.Join(t.TempDir(), "units")
	if code, stdout, stderr := exportCmd(t, shop, "systemd", "-f", shop.manifestPath(), "-o", out, "--project", "shop"); code != exitOK {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	before := unitsIn(t, out)

	other := newProject(t, exportManifest)
	code, stdout, stderr := exportCmd(t, other, "systemd", "-f", other.manifestPath(), "-o", out, "--project", "shop")
	if code != exitFailure || stdout != "" {
		t.Errorf("exit %d, stdout %q; want 1 and nothing written", code, stdout)
	}
	for _, name := range []string{"svman-api.service", "svman-worker.service", "svman-shop.target", "svman-shop-alarm@.service"} {
		if want := filepath.Join(out, name) + ": written by svman export from " + shop.manifestPath() + "\n"; !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(stderr, "give another --project") {
		t.Errorf("stderr does not say how to export both:\n%s", stderr)
	}
	if after := unitsIn(t, out); !maps.Equal(after, before) {
		t.Errorf("the refused export changed %s", out)
	}

	other.write(strings.NewReplacer(`"api"`, `"mailer"`, `"worker"`, `"queue"`).Replace(exportManifest))
	code, stdout, stderr = exportCmd(t, other, "systemd", "-f", other.manifestPath(), "-o", out, "--project", "post")
	if code != exitOK {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	after := unitsIn(t, out)
	for name, data := range before {
		if after[name] != data {
			t.Errorf("%s changed or went away", name)
		}
	}
	if !strings.Contains(after["svman-post-alarm@.service"], " alarm -f "+other.manifestPath()+" --systemd %i\n") ||
		!strings.Contains(after["svman-mailer.service"], "OnFailure=svman-post-alarm@mailer.service\n") {
		t.Errorf("the second project's alarms do not call its own manifest:\n%s\n%s", after["svman-post-alarm@.service"], after["svman-mailer.service"])
	}
}

// unitsIn is the files of dir, by name.
func unitsIn(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	units := map[string]string{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		units[e.Name()] = string(data)
	}
	return units
}
