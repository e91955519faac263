package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/statusfs"
)

// A state.json this svman cannot read (a state a newer svman wrote) makes a
// down module's state unknown, with the reason: never plain down.
func TestStatusWithUnknownState(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper"))
	d := p.holdStatusDir("web")
	if err := d.WriteStatus(statusfs.Status{Changed: time.Now(), Want: statusfs.WantUp, AlarmsOn: true}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.statusDir("web"), "state.json"), []byte(`{"state":"starting"}`), 0o600); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := p.svmanCmd("status")
	if code != 0 || !regexp.MustCompile(`(?m)^web\s+unknown \(state.json unreadable: .*unknown state "starting"\)\s+up\s+-\s`).MatchString(out) {
		t.Errorf("status = %d %q\n%s", code, errOut, out)
	}
	if rows := p.statusRows(); len(rows) != 1 || rows[0].State != "unknown" || !strings.Contains(rows[0].Error, `unknown state "starting"`) {
		t.Errorf("status --json = %+v", rows)
	}

	// Without state.json (removed on a full disk), the status file alone says down.
	if err := os.Remove(filepath.Join(p.statusDir("web"), "state.json")); err != nil {
		t.Fatal(err)
	}
	if _, out, _ := p.svmanCmd("status"); !regexp.MustCompile(`(?m)^web\s+down\s+up\s+-\s`).MatchString(out) {
		t.Errorf("status without state.json:\n%s", out)
	}
}

// svman status --json counts the restarts svman made and says how the
// process last ended: an exit code, then a signal.
func TestStatusRestartsAndLastExit(t *testing.T) {
	p := newProject(t, `module "web" {
  command = "if [ -e ran ]; then exec sleep 1000; fi; touch ran; exit 3"
}
`)
	p.up()
	var row moduleStatus
	waitRow := func(what string, ok func(r moduleStatus) bool) {
		t.Helper()
		testkit.WaitFor(t, what, func() bool {
			rows := p.statusRows()
			if len(rows) != 1 {
				return false
			}
			row = rows[0]
			return ok(row)
		})
	}
	waitRow("web up after its exit 3", func(r moduleStatus) bool { return r.State == "up" && r.Restarts == 1 })
	if e := row.LastExit; e.Code != 3 || e.Signal != "" || e.At.IsZero() || e.At.After(row.Since) {
		t.Errorf("last exit %+v (up since %v); want code 3, before the start", e, row.Since)
	}
	pid := row.PID
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// state.json is written after the status file: wait for both.
	waitRow("web up again after a kill", func(r moduleStatus) bool { return r.State == "up" && r.PID != pid && r.Restarts == 2 })
	if e := row.LastExit; e.Signal != "SIGKILL" || e.Code != 0 {
		t.Errorf("after a kill: last exit %+v; want SIGKILL", e)
	}
}
