package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"svman/internal/testkit"
)

// A module released with `x` shows as released, stays so across a reload, and
// `svman ctl NAME up` has the running svman take it back.
func TestReleasedModuleComesBack(t *testing.T) {
	p := newProject(t, helperModule("a", "sleeper")+helperModule("b", "sleeper"))
	sv := p.up()
	pid := p.waitPID("b", 0)
	apid := p.waitPID("a", 0)
	releasedRow := regexp.MustCompile(`(?m)^b\s+released \('svman ctl b up' takes it back\)\s+-\s+-\s+-\s+-$`)
	release := func() {
		t.Helper()
		if code, out, errOut := p.svmanCmd("ctl", "b", "dx"); code != 0 || out != "b: sent dx\n" {
			t.Fatalf("ctl b dx = %d %q %q", code, out, errOut)
		}
		var out string
		testkit.WaitFor(t, "status to show b released", func() bool {
			_, out, _ = p.svmanCmd("status")
			return releasedRow.MatchString(out)
		})
		if pidAlive(pid) {
			t.Errorf("b (pid %d) still runs once released", pid)
		}
	}
	takeBack := func() {
		t.Helper()
		if code, out, errOut := p.svmanCmd("ctl", "b", "up"); code != 0 || out != "b: sent u\n" {
			t.Fatalf("ctl b up on a released module = %d %q %q", code, out, errOut)
		}
		pid = p.waitPID("b", pid)
		code, out, _ := p.svmanCmd("status", "b")
		if code != 0 || !regexp.MustCompile(`(?m)^b\s+up\s+up\s+`+strconv.Itoa(pid)+`\s`).MatchString(out) {
			t.Errorf("status after b was taken back = %d\n%s", code, out)
		}
	}

	release()
	if code, _, errOut := p.svmanCmd("ctl", "b", "kill"); code != 1 || !strings.Contains(errOut, "b is released (x): svman no longer supervises it; 'svman ctl b up' (or once) takes it back") {
		t.Errorf("ctl b kill on a released module = %d %q", code, errOut)
	}
	takeBack()
	sv.waitOutput(`b is supervised again`)

	// A reload leaves it released while its block is unchanged.
	release()
	want := "no changes: 1 module runs as the manifest says\n= b released: a reload leaves it so ('svman ctl b up' takes it back)\n"
	if code, out, errOut := p.svmanCmd("diff"); code != 0 || out != want {
		t.Errorf("diff with b released = %d %q %q, want %q", code, out, errOut, want)
	}
	sv.barrier()
	if code, out, _ := p.svmanCmd("status"); code != 0 || !releasedRow.MatchString(out) {
		t.Errorf("a reload took b back:\n%s", out)
	}
	takeBack()
	if p.status("a").PID != apid {
		t.Error("taking b back touched a")
	}

	// Once svman is gone, nothing takes it back: not supervised.
	release()
	sv.stop()
	if _, out, _ := p.svmanCmd("status", "b"); !regexp.MustCompile(`(?m)^b\s+not supervised\s`).MatchString(out) {
		t.Errorf("status of b after svman stopped:\n%s", out)
	}
}
