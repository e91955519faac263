package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"svman/statusfs"
)

// While a supervised module's status file is unreadable (a directory made in
// its place, until svman clears it), status says so and shows what state.json
// knows, rather than "not supervised".
func TestStatusWithBrokenStatusFile(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper"))
	d := p.holdStatusDir("web") // as a supervisor does, without repairing it
	if err := d.WriteState(statusfs.State{State: statusfs.RunUp}); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(p.statusDir("web"), "status"), 0o755); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := p.svmanCmd("status")
	if code != 0 || !regexp.MustCompile(`(?m)^web\s+up \(status file unreadable, svman is rewriting it: .*is a directory\)\s+-\s+-\s+-\s+-$`).MatchString(out) {
		t.Errorf("status = %d %q\n%s", code, errOut, out)
	}
	if rows := p.statusRows(); len(rows) != 1 || !rows[0].Supervised || rows[0].State != "up" || !strings.Contains(rows[0].Error, "is a directory") {
		t.Errorf("status --json = %+v", rows)
	}
}

// holdStatusDir holds module name's status directory as its supervisor would,
// with no svman running, so that a test can put into it what a supervisor
// would not; it is released when the test ends.
func (p *project) holdStatusDir(name string) *statusfs.Dir {
	p.t.Helper()
	d, err := statusfs.Open(p.statusDir(name))
	if err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() { d.Close() })
	return d
}

// statusRows is what `svman status --json` shows.
func (p *project) statusRows() []moduleStatus {
	p.t.Helper()
	_, out, _ := p.svmanCmd("status", "--json")
	var rows []moduleStatus
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		p.t.Fatalf("status --json: %v\n%s", err, out)
	}
	return rows
}
