package systemd

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"svman/export"
)

// Every kind of export of the manifest that sets every field passes
// systemd's own check: no key systemd 252 does not know, no value it
// refuses, every program where the lines say.
func TestVerifyEveryField(t *testing.T) {
	p := newProject(t, everyField)
	for _, c := range []struct {
		name string
		o    Options
	}{
		{"journal", Options{}},
		{"files", Options{Logs: LogsFiles}},
		{"user", Options{User: true}},
		{"user files", Options{User: true, Logs: LogsFiles}},
		{"self", Options{Self: true}},
		{"self user", Options{Self: true, User: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, _ := p.export(t, c.o)
			checkReferences(t, files)
			verify(t, c.o.User, writeAll(t, files)...)
		})
	}
}

// The repository's own supervise.hcl, as make run supervises it, with its
// programs (bin/, which make build makes) stood in for by links.
func TestVerifyRootManifest(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "supervise.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"supervise.hcl": string(src)}
	for _, m := range regexp.MustCompile(`"\./(bin/[a-z]+)"`).FindAllStringSubmatch(string(src), -1) {
		files[m[1]] = ""
	}
	p := newProject(t, files)
	for _, o := range []Options{{}, {Logs: LogsFiles}, {User: true}, {Self: true}} {
		units, _ := p.export(t, o)
		checkReferences(t, units)
		verify(t, o.User, writeAll(t, units)...)
	}
}

// wellKnown are the units of systemd's own that the export names.
var wellKnown = []string{"multi-user.target", "default.target", "network.target"}

// checkReferences fails the test for a unit named in a dependency that is
// neither among files nor systemd's own (systemd-analyze verify does not
// check them), and for a file whose first line is not the export's header.
func checkReferences(t *testing.T, files map[string]export.File) {
	t.Helper()
	for _, f := range files {
		if !strings.HasPrefix(string(f.Data), "# Made by svman export from ") {
			t.Errorf("%s does not start with the export's header:\n%s", f.Name, f.Data)
		}
		for key, values := range options(t, f) {
			switch key {
			case "Unit.Wants", "Unit.Requires", "Unit.BindsTo", "Unit.PartOf", "Unit.After", "Unit.OnFailure", "Install.WantedBy":
			default:
				continue
			}
			for _, v := range values {
				name := v
				if at := strings.IndexByte(v, '@'); at >= 0 {
					name = v[:at+1] + v[strings.LastIndexByte(v, '.'):] // the template
				}
				if _, ok := files[name]; !ok && !slices.Contains(wellKnown, name) {
					t.Errorf("%s: %s=%s names a unit the export does not have", f.Name, key, v)
				}
			}
		}
	}
}
