package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"svman/statusfs"
)

// svman status shows what state.json says of readiness, dependencies, health
// and notify: in the STATE column (and as --json's "text"), with "ready"
// always in --json, and the STATUS= text in a STATUS column.
func TestStatusShowsReadiness(t *testing.T) {
	pid := os.Getpid()
	p := strconv.Itoa(pid)
	tests := []struct {
		name   string
		pid    int
		state  *statusfs.State // nil: no state.json
		line   string          // regexp of web's line
		header string          // regexp of the header
		json   string          // what --json must hold, as JSON fields
	}{
		{"starting", pid, &statusfs.State{State: statusfs.RunUp},
			`^web\s+starting\s+up\s+` + p + `\s+\d+s\s+on$`, `^MODULE\s+STATE\s+WANT\s+PID\s+FOR\s+ALARMS$`,
			`{"state":"up","ready":false,"text":"starting"}`},
		{"ready, with a notify STATUS", pid, &statusfs.State{State: statusfs.RunUp, Ready: true, Status: "accepting connections"},
			`^web\s+up\s+up\s+` + p + `\s+\d+s\s+on\s+"accepting connections"$`, `^MODULE\s+STATE\s+WANT\s+PID\s+FOR\s+ALARMS\s+STATUS$`,
			`{"state":"up","ready":true,"text":"up","status":"accepting connections"}`},
		{"a STATUS with escapes is quoted", pid, &statusfs.State{State: statusfs.RunUp, Ready: true, Status: "\x1b[2Jgone"},
			`^web\s+up\s+up\s+` + p + `\s+\d+s\s+on\s+"\\x1b\[2Jgone"$`, `STATUS$`,
			`{"ready":true,"status":"\u001b[2Jgone"}`},
		{"unhealthy", pid, &statusfs.State{State: statusfs.RunUp, Ready: true, Unhealthy: 2},
			`^web\s+unhealthy \(2 checks failed\)\s+up\s+` + p + `\s`, `ALARMS$`,
			`{"state":"up","ready":true,"text":"unhealthy (2 checks failed)","unhealthy":2}`},
		{"waiting", 0, &statusfs.State{State: statusfs.RunWaiting, Waiting: "db not ready"},
			`^web\s+waiting: db not ready\s+up\s+-\s+\d+s\s+on$`, `ALARMS$`,
			`{"state":"waiting","ready":false,"text":"waiting: db not ready","waiting":"db not ready"}`},
		{"completed", 0, &statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByPolicy, Completed: true},
			`^web\s+completed\s+up\s+-\s`, `ALARMS$`,
			`{"state":"down","ready":false,"text":"completed","reason":"policy","completed":true}`},
		{"completed, then taken down by the operator: still completed", 0, &statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByOperator, Completed: true},
			`^web\s+completed\s+up\s+-\s`, `ALARMS$`,
			`{"state":"down","text":"completed","reason":"operator","completed":true}`},
		{"running, no state.json: readiness unknown", pid, nil,
			`^web\s+up\s+up\s+` + p + `\s`, `ALARMS$`,
			`{"state":"up","ready":false,"text":"up"}`},
		{"state.json not yet written for this child", pid, &statusfs.State{State: statusfs.RunWaiting, Waiting: "db not ready"},
			`^web\s+up\s+up\s+` + p + `\s`, `ALARMS$`,
			`{"state":"up","ready":false,"text":"up"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr := newProject(t, helperModule("web", "sleeper"))
			d := pr.holdStatusDir("web")
			if err := d.WriteStatus(statusfs.Status{Changed: time.Now(), Want: statusfs.WantUp, AlarmsOn: true, PID: tt.pid}); err != nil {
				t.Fatal(err)
			}
			if tt.state != nil {
				if err := d.WriteState(*tt.state); err != nil {
					t.Fatal(err)
				}
			}
			code, out, errOut := pr.svmanCmd("status")
			header, _, _ := strings.Cut(out, "\n")
			if code != 0 || !regexp.MustCompile(`(?m)`+tt.line).MatchString(out) || !regexp.MustCompile(tt.header).MatchString(header) {
				t.Errorf("status = %d %q, want lines matching %q and %q:\n%s", code, errOut, tt.header, tt.line, out)
			}
			_, js, _ := pr.svmanCmd("status", "--json")
			var rows []map[string]any
			if err := json.Unmarshal([]byte(js), &rows); err != nil || len(rows) != 1 {
				t.Fatalf("status --json: %v\n%s", err, js)
			}
			var want map[string]any
			if err := json.Unmarshal([]byte(tt.json), &want); err != nil {
				t.Fatal(err)
			}
			for k, v := range want {
				if rows[0][k] != v {
					t.Errorf("status --json: %s = %#v, want %#v\n%s", k, rows[0][k], v, js)
				}
			}
			if _, ok := rows[0]["ready"]; !ok {
				t.Errorf("status --json has no ready:\n%s", js)
			}
			if text, _ := rows[0]["text"].(string); !regexp.MustCompile(`(?m)^web\s+` + regexp.QuoteMeta(text) + `\s`).MatchString(out) {
				t.Errorf("status --json text %q is not what the table shows:\n%s", text, out)
			}
		})
	}
}

// A down module with nothing new in state.json shows as before: no STATUS
// column, "ready": false, and the old fields unchanged.
func TestStatusOfAPlainDownModuleIsUnchanged(t *testing.T) {
	pr := newProject(t, helperModule("web", "sleeper"))
	d := pr.holdStatusDir("web")
	if err := d.WriteStatus(statusfs.Status{Changed: time.Now(), Want: statusfs.WantDown, AlarmsOn: true}); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteState(statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByOperator}); err != nil {
		t.Fatal(err)
	}
	if _, out, _ := pr.svmanCmd("status"); !regexp.MustCompile(`^MODULE\s+STATE\s+WANT\s+PID\s+FOR\s+ALARMS\nweb\s+down\s+down\s+-\s+\d+s\s+on\n$`).MatchString(out) {
		t.Errorf("status:\n%s", out)
	}
	rows := pr.statusRows()
	if len(rows) != 1 || rows[0].State != shownDown || rows[0].Ready || rows[0].Text != "down" || rows[0].Want != "down" {
		t.Errorf("status --json = %+v", rows)
	}
}
