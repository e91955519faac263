package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// check and up apply one rule for module names: what check accepts, up runs and
// ctl addresses; what check refuses, up refuses with the same diagnostic.
func TestCheckAndUpAgreeOnNames(t *testing.T) {
	longest := strings.Repeat("n", 255)
	p := newProject(t, helperModule(longest, "sleeper")+helperModule("_w.1-x", "sleeper"))
	if code, out, errOut := p.svmanCmd("check"); code != 0 || !strings.Contains(out, "ok, 2 modules") {
		t.Fatalf("check of a 255-byte name = %d %q %q", code, out, errOut)
	}
	sv := p.up()
	p.waitPID(longest, 0)
	if code, _, errOut := p.svmanCmd("ctl", longest, "down"); code != 0 {
		t.Errorf("ctl of the 255-byte name = %d: %s", code, errOut)
	}
	if code := sv.stop(); code != 0 {
		t.Errorf("up exited %d:\n%s", code, sv.out)
	}

	p = newProject(t, helperModule(longest+"n", "sleeper")+helperModule("-web", "sleeper"))
	want := []string{
		":1:8: error: Invalid module name",
		`is 256 bytes long; a name may have at most 255`,
		`The module name "-web" starts with "-"`,
		`Try "_web".`,
	}
	code, _, errOut := p.svmanCmd("check")
	for _, w := range want {
		if code != 1 || !strings.Contains(errOut, w) {
			t.Errorf("check = %d, want 1 and %q in:\n%s", code, w, errOut)
		}
	}
	sv = p.start("up", "-f", p.manifestPath())
	code = sv.wait()
	for _, w := range want {
		if code != 1 || !strings.Contains(sv.out.String(), w) {
			t.Errorf("up = %d, want 1 and %q in:\n%s", code, w, sv.out)
		}
	}
	if _, err := os.Stat(filepath.Join(p.dir, "status")); err == nil {
		t.Errorf("up made status directories for a manifest it refused")
	}
}
