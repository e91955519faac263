package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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
