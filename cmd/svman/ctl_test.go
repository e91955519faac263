package main

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// status and ctl work from another terminal against a running svman up.
func TestStatusAndCtlAgainstRunningSvman(t *testing.T) {
	p := newProject(t, helperModule("web", "sleep")+helperModule("worker", "sleep", "autostart = false"))
	sv := p.up()
	pid := p.waitPID("web", 0)

	code, out, errOut := p.svmanCmd("status")
	if code != 0 {
		t.Fatalf("status exited %d: %s", code, errOut)
	}
	if !regexp.MustCompile(`(?m)^web\s+up\s+up\s+` + strconv.Itoa(pid) + `\s+\d+s\s+on$`).MatchString(out) {
		t.Errorf("status table does not show web up with pid %d:\n%s", pid, out)
	}
	if !regexp.MustCompile(`(?m)^worker\s+down\s+down\s+-\s+\d+s\s+on$`).MatchString(out) {
		t.Errorf("status table does not show worker down:\n%s", out)
	}

	code, out, errOut = p.svmanCmd("ctl", "worker", "up")
	if code != 0 || !strings.Contains(out, "worker: sent u") {
		t.Fatalf("ctl worker up = %d %q %q", code, out, errOut)
	}
	wpid := p.waitPID("worker", 0)

	if code, _, errOut := p.svmanCmd("ctl", "web", "worker", "silence"); code != 0 {
		t.Fatalf("ctl silence: %s", errOut)
	}
	waitFor(t, "alarms off in both status files", func() bool {
		return !p.status("web").AlarmsOn && !p.status("worker").AlarmsOn
	})

	code, out, _ = p.svmanCmd("status", "--json", "worker")
	var rows []moduleStatus
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != 0 {
		t.Fatalf("status --json: %v %d\n%s", err, code, out)
	}
	if len(rows) != 1 || rows[0].Module != "worker" || rows[0].State != "up" || rows[0].PID != wpid || rows[0].Alarms != "off" || !rows[0].Supervised {
		t.Errorf("status --json worker = %+v", rows)
	}

	if code, _, errOut := p.svmanCmd("ctl", "web", "bogus"); code != 2 || !strings.Contains(errOut, "unknown control command") {
		t.Errorf("ctl with a bad command = %d %q, want 2 and a clear message", code, errOut)
	}
	if code, _, errOut := p.svmanCmd("ctl", "nosuch", "up"); code != 1 || !strings.Contains(errOut, `no module named "nosuch" (modules: web, worker)`) {
		t.Errorf("ctl on an unknown module = %d %q", code, errOut)
	}
	sv.stop()
}

// Without a running svman, status says so and ctl fails at once with a clear message.
func TestStatusAndCtlWithNothingRunning(t *testing.T) {
	p := newProject(t, helperModule("web", "sleep"))
	code, out, _ := p.svmanCmd("status")
	if code != 0 || !regexp.MustCompile(`(?m)^web\s+not supervised\s+-\s+-\s+-\s+-$`).MatchString(out) {
		t.Errorf("status with nothing running = %d\n%s", code, out)
	}
	code, _, errOut := p.svmanCmd("ctl", "web", "down")
	if code != 1 || !strings.Contains(errOut, "web is not supervised") {
		t.Errorf("ctl with nothing running = %d %q", code, errOut)
	}

	// After a run, the directory exists but nobody holds it: still not supervised.
	sv := p.up()
	p.waitPID("web", 0)
	sv.stop()
	code, out, _ = p.svmanCmd("status")
	if code != 0 || !strings.Contains(out, "not supervised") {
		t.Errorf("status after svman stopped = %d\n%s", code, out)
	}
	if code, _, _ := p.svmanCmd("ctl", "web", "d"); code != 1 {
		t.Errorf("ctl after svman stopped exited %d, want 1", code)
	}
}
