package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"svman/api"
	"svman/internal/testkit"
	"svman/statusfs"
)

// apiClient is an HTTP client of the control API on the unix socket sock.
func apiClient(sock string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
}

// apiCall does method on path over the project's socket, and returns the
// status code and the body.
func (p *project) apiCall(method, path string) (int, string) {
	p.t.Helper()
	req, err := http.NewRequest(method, "http://svman"+path, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	resp, err := apiClient(p.apiSocket()).Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (p *project) apiSocket() string { return filepath.Join(p.dir, "status", api.SocketName) }

// apiModules decodes body, an array of modules.
func apiModules(t *testing.T, body string) []moduleStatus {
	t.Helper()
	var rows []moduleStatus
	if err := json.Unmarshal([]byte(body), &rows); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	return rows
}

// svman up serves the control API on status_dir/.svman.sock, 0600, for as
// long as it runs: GET /v1/modules is `svman status --json`, and the socket
// is gone once svman has exited.
func TestAPIModules(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper")+helperModule("worker", "sleeper", "autostart = false"))
	sv := p.up()
	pid := p.waitPID("web", 0)
	fi, err := os.Lstat(p.apiSocket())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want a socket with 0600", fi.Mode())
	}
	code, body := p.apiCall("GET", "/v1/modules")
	if code != 200 {
		t.Fatalf("GET /v1/modules: %d %s", code, body)
	}
	got := apiModules(t, body)
	want := p.statusRows()
	if len(got) != 2 || len(want) != 2 {
		t.Fatalf("API %d modules, status --json %d, want 2 each", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Module != w.Module || g.State != w.State || g.PID != w.PID || g.Want != w.Want || g.Text != w.Text || !g.Since.Equal(w.Since) {
			t.Errorf("module %d: API %+v, status --json %+v", i, g, w)
		}
	}
	if got[0].Module != "web" || got[0].PID != pid || got[0].State != shownUp || got[1].State != shownDown {
		t.Errorf("API modules: %+v", got)
	}
	code, body = p.apiCall("GET", "/v1/modules/web")
	var one moduleStatus
	if err := json.Unmarshal([]byte(body), &one); code != 200 || err != nil || one.Module != "web" || one.PID != pid {
		t.Errorf("GET /v1/modules/web: %d %s", code, body)
	}
	code, body = p.apiCall("GET", "/v1/modules/nosuch")
	if code != 404 || !strings.Contains(body, `"error":"no module named \"nosuch\"`) {
		t.Errorf("GET of an unknown module: %d %s", code, body)
	}
	if code, body = p.apiCall("GET", "/v1/nothing"); code != 404 || !strings.Contains(body, `"error"`) {
		t.Errorf("GET of no endpoint: %d %s", code, body)
	}
	// The metrics are served on the same socket.
	code, body = p.apiCall("GET", "/metrics")
	if code != 200 || !strings.Contains(body, `svman_module_up{module="web"} 1`) || !strings.Contains(body, `svman_module_up{module="worker"} 0`) {
		t.Errorf("GET /metrics: %d\n%s", code, body)
	}
	if code := sv.stop(); code != 0 {
		t.Fatalf("svman exited %d", code)
	}
	if _, err := os.Lstat(p.apiSocket()); !os.IsNotExist(err) {
		t.Errorf("the socket is still there after svman exited: %v", err)
	}
}

// The actions: the words of svman ctl through the control FIFO, restart and
// signal through the engine, on a module or a comma list, each answered
// with the modules once the status files show it applied.
func TestAPIActions(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper")+helperModule("worker", "sleeper"))
	p.up()
	worker := p.waitPID("worker", 0)

	code, body := p.apiCall("POST", "/v1/modules/web,worker/down")
	rows := apiModules(t, body)
	if code != 200 || len(rows) != 2 || rows[0].Want != "down" || rows[0].PID != 0 || rows[1].Want != "down" || rows[1].PID != 0 {
		t.Fatalf("POST down: %d %s", code, body)
	}
	code, body = p.apiCall("POST", "/v1/modules/web/up")
	if rows := apiModules(t, body); code != 200 || len(rows) != 1 || rows[0].Want != "up" {
		t.Fatalf("POST up: %d %s", code, body)
	}
	web := p.waitPID("web", 0)

	code, body = p.apiCall("POST", "/v1/modules/web/restart")
	rows = apiModules(t, body)
	if code != 200 || rows[0].PID == 0 || rows[0].PID == web {
		t.Fatalf("POST restart of pid %d: %d %s", web, code, body)
	}
	// A module taken down starts again at restart, whatever its policy.
	code, body = p.apiCall("POST", "/v1/modules/worker/restart")
	rows = apiModules(t, body)
	if code != 200 || rows[0].PID == 0 || rows[0].PID == worker || rows[0].Want != "up" {
		t.Fatalf("POST restart of a module down: %d %s", code, body)
	}
	worker = rows[0].PID

	code, body = p.apiCall("POST", "/v1/modules/worker/signal?sig=USR1")
	if code != 200 {
		t.Fatalf("POST signal: %d %s", code, body)
	}
	testkit.WaitFor(t, "USR1 in supervise.log", func() bool {
		b, _ := os.ReadFile(filepath.Join(p.statusDir("worker"), "supervise.log"))
		return strings.Contains(string(b), fmt.Sprintf("USR1 sent to pid %d", worker))
	})

	code, body = p.apiCall("POST", "/v1/modules/web/silence")
	if rows := apiModules(t, body); code != 200 || rows[0].Alarms != "off" {
		t.Errorf("POST silence: %d %s", code, body)
	}
	if st := p.status("web"); st.AlarmsOn {
		t.Errorf("alarms on in the status file after silence")
	}
	for _, c := range []struct {
		path string
		code int
		says string
	}{
		{"/v1/modules/web/signal?sig=NOPE", 400, "signal"},
		{"/v1/modules/web/signal", 400, "sig=NAME"},
		{"/v1/modules/web/dance", 400, `unknown action \"dance\"`},
		{"/v1/modules/web/reload", 400, "POST /v1/reload"},
		{"/v1/modules/nosuch/down", 404, "no module named"},
	} {
		if code, body := p.apiCall("POST", c.path); code != c.code || !strings.Contains(body, c.says) {
			t.Errorf("POST %s: %d %s, want %d saying %q", c.path, code, body, c.code, c.says)
		}
	}
	if code, body := p.apiCall("GET", "/v1/modules/web/down"); code != 405 {
		t.Errorf("GET of an action: %d %s, want 405", code, body)
	}
}

// sseEvent is one event of a stream: its name and data.
type sseEvent struct {
	name string
	data api.Event
}

// readEvents sends the events of the stream in r on a channel, until it ends.
func readEvents(t *testing.T, r io.Reader) <-chan sseEvent {
	c := make(chan sseEvent, 100)
	go func() {
		defer close(c)
		sc := bufio.NewScanner(r)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.data); err != nil {
					t.Errorf("event data %q: %v", line, err)
				}
			case line == "":
				c <- ev
				ev = sseEvent{}
			}
		}
	}()
	return c
}

// nextEvent is the first event of c for which match is true.
func nextEvent(t *testing.T, c <-chan sseEvent, what string, match func(sseEvent) bool) sseEvent {
	t.Helper()
	timeout := time.After(testkit.Deadline)
	for {
		select {
		case ev, ok := <-c:
			if !ok {
				t.Fatalf("the stream ended before %s", what)
			}
			if match(ev) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s", what)
		}
	}
}

// GET /v1/events streams what happens from then on: a restart is exited,
// then started, with the facts; a `d` is a state event.
func TestAPIEvents(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper"))
	sv := p.up()
	pid := p.waitPID("web", 0)
	resp, err := apiClient(p.apiSocket()).Get("http://svman/v1/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET /v1/events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := readEvents(t, resp.Body)
	if code, body := p.apiCall("POST", "/v1/modules/web/restart"); code != 200 {
		t.Fatalf("restart: %d %s", code, body)
	}
	exited := nextEvent(t, events, "exited", func(e sseEvent) bool { return e.name == "exited" })
	if exited.data.Module != "web" || exited.data.PID != pid || exited.data.ExitCode == nil || exited.data.Signal != "SIGTERM" {
		t.Errorf("exited event: %+v", exited.data)
	}
	started := nextEvent(t, events, "started", func(e sseEvent) bool { return e.name == "started" })
	if started.data.Module != "web" || started.data.PID == 0 || started.data.PID == pid || started.data.Message != fmt.Sprintf("web started, pid %d", started.data.PID) {
		t.Errorf("started event: %+v", started.data)
	}
	if err := statusfs.SendControl(p.statusDir("web"), []byte("s")); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, events, "a state event for s", func(e sseEvent) bool { return e.name == "state" && e.data.Module == "web" })
	sv.stop()
	testkit.WaitFor(t, "the stream's end at exit", func() bool {
		select {
		case _, ok := <-events:
			return !ok
		default:
			return false
		}
	})
}

// With an api block, svman up serves on TCP too, and a request there needs
// the token: 401 without it, said on the console without the token. An edit
// of the token file puts the new token in force; an edit of listen moves the
// listener, and the old address is closed.
func TestAPITCP(t *testing.T) {
	block := "api {\n  listen = %q\n  token_file = \"token\"\n}\n" + helperModule("web", "sleeper")
	p := newProject(t, fmt.Sprintf(block, "127.0.0.1:0"))
	tokenFile := filepath.Join(p.dir, "token")
	writeToken := func(token string) { // by rename, as an editor saves it
		if err := os.WriteFile(tokenFile+".new", []byte(token+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tokenFile+".new", tokenFile); err != nil {
			t.Fatal(err)
		}
	}
	writeToken("s3cr3t")
	sv := p.up()
	addr := sv.waitOutput(`control API on (127\.0\.0\.1:\d+) \(HTTP\) too`)[1]
	get := func(addr, token string) int {
		req, _ := http.NewRequest("GET", "http://"+addr+"/v1/modules/web", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(addr, ""); code != 401 {
		t.Errorf("without the token: %d, want 401", code)
	}
	if code := get(addr, "s3cr3t"); code != 200 {
		t.Errorf("with the token: %d, want 200", code)
	}
	sv.waitOutput(`control API: a request from 127\.0\.0\.1:\d+ without a valid token was refused`)

	writeToken("n3w-t0ken")
	sv.waitOutput(`control API: the new token of ` + regexp.QuoteMeta(addr) + ` is in force`)
	if old, next := get(addr, "s3cr3t"), get(addr, "n3w-t0ken"); old != 401 || next != 200 {
		t.Errorf("after the token file's edit: the old token %d (want 401), the new one %d (want 200)", old, next)
	}

	p.write(fmt.Sprintf(block, "localhost:0"))
	moved := sv.waitOutput(`control API on (127\.0\.0\.1:\d+) \(HTTP\) too\n(?s:.*)control API on (127\.0\.0\.1:\d+) \(HTTP\) too`)[2]
	if code := get(moved, "n3w-t0ken"); code != 200 {
		t.Errorf("on the new listen %s: %d, want 200", moved, code)
	}
	// The new listener was made while the old one held its port.
	if code := get(addr, "n3w-t0ken"); moved == addr || code != 0 {
		t.Errorf("the old address %s still answers (%d), or the new one is the same (%s)", addr, code, moved)
	}
	for _, secret := range []string{"s3cr3t", "n3w-t0ken"} {
		if strings.Contains(sv.out.String(), secret) {
			t.Errorf("a token is in svman's output:\n%s", sv.out)
		}
	}
}
