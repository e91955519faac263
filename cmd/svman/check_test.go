package main

import (
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
