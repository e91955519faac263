package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"svman/api"
	"svman/internal/testkit"
)

// GET /v1/diff says what a reload would do, POST /v1/reload does it and
// answers with the plan applied, and the event stream carries it; an
// invalid manifest is a 422 that changes nothing.
func TestAPIReloadAndDiff(t *testing.T) {
	web := helperModule("web", "sleeper")
	p := newProject(t, web)
	p.up()
	p.waitPID("web", 0)
	resp, err := apiClient(p.apiSocket()).Get("http://svman/v1/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := readEvents(t, resp.Body)

	p.write(web + helperModule("api", "sleeper"))
	code, body := p.apiCall("GET", "/v1/diff")
	var plan api.Plan
	if err := json.Unmarshal([]byte(body), &plan); code != 200 || err != nil || !plan.Changes || strings.Join(plan.Add, ",") != "api" || strings.Join(plan.Keep, ",") != "web" {
		t.Fatalf("GET /v1/diff: %d %s", code, body)
	}
	code, body = p.apiCall("POST", "/v1/reload")
	plan = api.Plan{}
	if err := json.Unmarshal([]byte(body), &plan); code != 200 || err != nil || strings.Join(plan.Add, ",") != "api" {
		t.Fatalf("POST /v1/reload: %d %s", code, body)
	}
	p.waitPID("api", 0)
	// The plan applied is announced once its starts are under way.
	nextEvent(t, events, "api started", func(e sseEvent) bool { return e.name == "started" && e.data.Module == "api" })
	ev := nextEvent(t, events, "a reload event", func(e sseEvent) bool { return e.name == "reload" })
	if !strings.Contains(ev.data.Message, "api") {
		t.Errorf("reload event: %+v", ev.data)
	}
	code, body = p.apiCall("GET", "/v1/diff")
	if err := json.Unmarshal([]byte(body), &plan); code != 200 || err != nil || plan.Changes {
		t.Errorf("GET /v1/diff after the reload: %d %s", code, body)
	}

	p.write(web + "module {")
	if code, body := p.apiCall("POST", "/v1/reload"); code != 422 || !strings.Contains(body, "not valid") {
		t.Errorf("POST /v1/reload of an invalid manifest: %d %s", code, body)
	}
	if code, body := p.apiCall("GET", "/v1/diff"); code != 422 {
		t.Errorf("GET /v1/diff of an invalid manifest: %d %s", code, body)
	}
	code, body = p.apiCall("GET", "/v1/modules")
	if rows := apiModules(t, body); code != 200 || len(rows) != 2 {
		t.Errorf("the modules after a refused reload: %d %s", code, body)
	}
}

// GET /v1/modules/NAME/logs gives the log lines as NDJSON: the last n, one
// stream, and with follow the new ones as they come.
func TestAPILogs(t *testing.T) {
	p := newProject(t, `module "talk" {
  command = "echo out1; echo err1 >&2; echo out2; exec sleep 1000"
}
`)
	p.up()
	testkit.WaitFor(t, "out2 in the log", func() bool {
		_, body := p.apiCall("GET", "/v1/modules/talk/logs")
		return strings.Contains(body, "out2")
	})
	lines := func(path string) []map[string]any {
		t.Helper()
		code, body := p.apiCall("GET", path)
		if code != 200 {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		return ndjson(t, body)
	}
	// The records of `svman logs --json`: the log file is text, so no pid.
	text := func(recs []map[string]any) string {
		var s []string
		for _, r := range recs {
			if ts, _ := r["ts"].(string); len(ts) != 30 || r["module"] != "talk" || r["pid"] != nil {
				t.Errorf("record %v: want ts, module talk, pid null", r)
			}
			s = append(s, fmt.Sprint(r["stream"], ":", r["line"]))
		}
		return strings.Join(s, " ")
	}
	if got := text(lines("/v1/modules/talk/logs")); !strings.Contains(got, "stdout:out1") || !strings.Contains(got, "stderr:err1") || !strings.Contains(got, "stdout:out2") {
		t.Errorf("logs: %s", got)
	}
	if got := text(lines("/v1/modules/talk/logs?n=1&stream=stdout")); got != "stdout:out2" {
		t.Errorf("logs?n=1&stream=stdout: %s", got)
	}
	if got := text(lines("/v1/modules/talk/logs?stream=stderr")); got != "stderr:err1" {
		t.Errorf("logs?stream=stderr: %s", got)
	}
	if code, body := p.apiCall("GET", "/v1/modules/talk/logs?stream=both"); code != 400 {
		t.Errorf("stream=both: %d %s", code, body)
	}
	resp, err := apiClient(p.apiSocket()).Get("http://svman/v1/modules/talk/logs?n=0&follow=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	follow := json.NewDecoder(resp.Body)
	got := make(chan string, 1)
	go func() {
		var rec struct{ Line string }
		if err := follow.Decode(&rec); err == nil {
			got <- rec.Line
		}
		close(got)
	}()
	// The restart's run writes its lines again: those, and none before.
	if code, body := p.apiCall("POST", "/v1/modules/talk/restart"); code != 200 {
		t.Fatalf("restart: %d %s", code, body)
	}
	select {
	case line := <-got:
		// The new run's first line of either stream: svman reads stdout and
		// stderr from two pipes, in no order between them.
		if line != "out1" && line != "err1" {
			t.Errorf("the first line followed: %q, want out1 or err1", line)
		}
	case <-time.After(testkit.Deadline):
		t.Fatal("no line followed after the restart")
	}
}
