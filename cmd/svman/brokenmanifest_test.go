package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"svman/internal/testkit"
)

// A manifest saved with a syntax error must not lock the operator out: status,
// ctl and reload act on the running set with a warning, and diff says what runs.
func TestBrokenManifestKeepsTheRunningSetInReach(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper")+helperModule("worker", "sleeper"))
	sv := p.up()
	pid := p.waitPID("web", 0)
	p.waitPID("worker", 0)
	p.write(helperModule("web", "sleeper") + "module \"worker\" {\n  command = [\"x\"\n")
	sv.waitOutput(`reload: .* is not valid; keeping the running configuration`)

	diagnostic := regexp.MustCompile(`supervise\.hcl:\d+:\d+: error: Unterminated tuple`)
	warned := func(verb, errOut string) {
		t.Helper()
		if !diagnostic.MatchString(errOut) || !strings.Contains(errOut, "warning: "+p.manifestPath()+" is not valid (see above); acting on the running set: the status directories under "+p.dir+"/status") {
			t.Errorf("%s does not show the diagnostic and the warning on stderr:\n%s", verb, errOut)
		}
	}

	code, out, errOut := p.svmanCmd("status")
	if code != 0 || !regexp.MustCompile(`(?m)^web\s+up\s+up\s+`+strconv.Itoa(pid)+`\s`).MatchString(out) || !regexp.MustCompile(`(?m)^worker\s+up\s+up\s`).MatchString(out) {
		t.Errorf("status with a broken manifest = %d\n%s%s", code, out, errOut)
	}
	warned("status", errOut)

	code, out, errOut = p.svmanCmd("ctl", "web", "kill")
	if code != 0 || !strings.Contains(out, "web: sent k") {
		t.Errorf("ctl web kill with a broken manifest = %d %q %q", code, out, errOut)
	}
	warned("ctl", errOut)
	p.waitPID("web", pid)

	invalid := func() int { return strings.Count(sv.out.String(), "is not valid; keeping the running configuration") }
	before := invalid()
	code, out, errOut = p.svmanCmd("reload")
	if want := fmt.Sprintf("sent SIGHUP to svman (pid %d)", sv.cmd.Process.Pid); code != 0 || !strings.Contains(out, want) {
		t.Errorf("reload with a broken manifest = %d %q %q, want %q", code, out, errOut, want)
	}
	warned("reload", errOut)
	testkit.WaitFor(t, "the asked reload to report the broken manifest again", func() bool {
		return invalid() > before
	})

	code, out, errOut = p.svmanCmd("diff")
	if code != 1 || out != "running in "+p.dir+"/status: web, worker\n" || !diagnostic.MatchString(errOut) || !strings.Contains(errOut, "there is nothing to compare") {
		t.Errorf("diff with a broken manifest = %d %q %q", code, out, errOut)
	}

	// Where the status directories are cannot be told: the error says what to do.
	p.write("status_dir = \"elsewhere\n" + helperModule("web", "sleeper"))
	code, _, errOut = p.svmanCmd("status")
	if code != 1 || !strings.Contains(errOut, "its status_dir cannot be told from it: name the status directories with --status-dir DIR") {
		t.Errorf("status without a status_dir to go by = %d %q", code, errOut)
	}
	sv.stop()
}
