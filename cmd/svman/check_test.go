package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	p := newProject(t, helperModule("web", "sleep")+helperModule("worker", "sleep"))
	code, out, errOut := p.svmanCmd("check")
	if code != 0 || !strings.Contains(out, "ok, 2 modules (web, worker), status_dir "+p.dir+"/status") {
		t.Errorf("check of a valid manifest = %d %q %q", code, out, errOut)
	}

	p.write("module \"web\" {\n  command = []\n  stop_signal = \"TERN\"\n}\n")
	code, out, errOut = p.svmanCmd("check")
	want := p.manifestPath() + `:2:13: error: Empty command
 2 |   command = []
   |             ^^`
	if code != 1 || out != "" || !strings.Contains(errOut, want) || !strings.Contains(errOut, `:3:17: error: Unknown signal`) {
		t.Errorf("check of a broken manifest = %d, stdout %q, stderr:\n%s\nwant it to contain:\n%s", code, out, errOut, want)
	}
	if code, _, _ := p.svmanCmd("check", "extra"); code != 2 {
		t.Errorf("check with a stray argument exited %d, want 2", code)
	}
}

// A broken manifest stops `svman up` before anything starts.
func TestUpRefusesBrokenManifest(t *testing.T) {
	p := newProject(t, "module \"web\" {\n  command = \"\"\n}\n")
	sv := p.start("up", "-f", p.manifestPath())
	if code := sv.wait(); code != 1 || !strings.Contains(sv.out.String(), ":2:13: error: Empty command") {
		t.Errorf("up with a broken manifest = %d:\n%s", code, sv.out)
	}
}

// check and up apply one rule for module names: what check accepts, up runs and
// ctl addresses; what check refuses, up refuses with the same diagnostic.
func TestCheckAndUpAgreeOnNames(t *testing.T) {
	longest := strings.Repeat("n", 255)
	p := newProject(t, helperModule(longest, "sleep")+helperModule("_w.1-x", "sleep"))
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

	p = newProject(t, helperModule(longest+"n", "sleep")+helperModule("-web", "sleep"))
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

// check says what the shortest alarm window is, and up refuses a shorter one.
func TestCheckAlarmIntervalFloor(t *testing.T) {
	p := newProject(t, helperModule("web", "sleep", `alarm { interval = "500ms" }`))
	code, out, errOut := p.svmanCmd("check")
	if code != 1 || out != "" || !strings.Contains(errOut, `error: Invalid interval`) || !strings.Contains(errOut, `The alarm window cannot be shorter than 1s`) {
		t.Errorf("check with interval 500ms = %d %q:\n%s", code, out, errOut)
	}
	p.write(helperModule("web", "sleep", `alarm { interval = "1s" }`))
	if code, out, errOut := p.svmanCmd("check"); code != 0 || !strings.Contains(out, "ok, 1 module") {
		t.Errorf("check with interval 1s = %d %q %q", code, out, errOut)
	}
}

// A duration too large for svman is called that, with the maximum, not "not a duration".
func TestCheckTooLargeDuration(t *testing.T) {
	p := newProject(t, helperModule("web", "sleep", `stop_timeout = "3000000h"`))
	code, _, errOut := p.svmanCmd("check")
	if code != 1 || !strings.Contains(errOut, `"3000000h" is too large: a duration can be at most 2562047h47m16.854775807s (about 292 years).`) || strings.Contains(errOut, "not a duration") {
		t.Errorf("check with stop_timeout 3000000h = %d:\n%s", code, errOut)
	}
}

// A restart delay below svman's floor is valid, and check says what svman does
// with it: a crash loop still waits a second, then longer.
func TestCheckSaysTheRestartFloor(t *testing.T) {
	p := newProject(t, "module \"spin\" {\n  command = \"exit 1\"\n  restart { delay = \"0s\" }\n}\n")
	code, out, errOut := p.svmanCmd("check")
	want := p.manifestPath() + `:3:21: warning: delay below the restart floor`
	if code != 0 || !strings.Contains(out, "ok, 1 module (spin)") || !strings.Contains(errOut, want) ||
		!strings.Contains(errOut, `delay = "0s" counts as 1s`) || !strings.Contains(errOut, "waits 1s, then 2s, 4s") {
		t.Errorf("check of delay 0s = %d, stdout %q, stderr:\n%s\nwant ok and a warning:\n%s", code, out, errOut, want)
	}
}
