package api

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"svman/internal/modview"
	"svman/internal/testkit"
	"svman/manifest"
	"svman/statusfs"
)

// fakeEngine records what the API asks of the engine, and holds the status
// directories held names (as the engine holds those of what it supervises).
type fakeEngine struct {
	asked chan string
	held  map[string]*statusfs.Dir
}

func (f *fakeEngine) Held() map[string]*statusfs.Dir { return f.held }

func (f *fakeEngine) Restart(name string) error { f.asked <- "restart " + name; return nil }
func (f *fakeEngine) Signal(name string, sig syscall.Signal) error {
	f.asked <- "signal " + name + " " + manifest.SignalName(sig)
	return nil
}

// testServer serves the API for a manifest of modules (none supervised) in a
// temporary status_dir, and returns a client of its socket.
func testServer(t *testing.T, cfg Config, modules ...string) (*Server, *http.Client) {
	t.Helper()
	root := t.TempDir()
	m := &manifest.Manifest{StatusDir: root}
	for _, n := range modules {
		m.Modules = append(m.Modules, manifest.Module{Name: n})
	}
	cfg.Socket = filepath.Join(root, SocketName)
	cfg.Manifest = func() *manifest.Manifest { return m }
	if cfg.Engine == nil {
		cfg.Engine = &fakeEngine{asked: make(chan string, 10)}
	}
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s, unixClient(cfg.Socket)
}

func unixClient(sock string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
}

func call(t *testing.T, c *http.Client, method, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://svman"+path, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Every route the server registers is in openapi.json, and every path and
// method there is served: none is answered as an unknown endpoint.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                         `json:"openapi"`
		Paths   map[string]map[string]struct{} `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q, want 3.x", doc.OpenAPI)
	}
	served := []string{"GET /metrics"}
	for _, rt := range routes {
		served = append(served, rt.method+" "+rt.path)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(served)
	slices.Sort(documented)
	if !slices.Equal(served, documented) {
		t.Errorf("routes served:\n%s\nin openapi.json:\n%s", strings.Join(served, "\n"), strings.Join(documented, "\n"))
	}
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "up 1\n") })
	s, c := testServer(t, Config{Metrics: metrics}, "web")
	s.events.close() // the stream answers at once, and ends
	for _, op := range documented {
		method, path, _ := strings.Cut(op, " ")
		path = strings.NewReplacer("{name}", "web", "{action}", "silence").Replace(path)
		code, body := call(t, c, method, path)
		if strings.Contains(body, "lists the endpoints") || code == 404 && !strings.Contains(body, "web") {
			t.Errorf("%s %s: %d %s: documented but not served", method, path, code, body)
		}
	}
}

// The Module schema of openapi.json has every key GET /v1/modules can
// give, and requires those it always gives: the json tags of modview.Status.
func TestOpenAPIModuleSchema(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
				Required   []string       `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	schema := doc.Components.Schemas["Module"]
	var keys, always []string
	for f := range reflect.TypeFor[modview.Status]().Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		keys = append(keys, name)
		if opts == "" {
			always = append(always, name)
		}
	}
	for _, k := range keys {
		if _, ok := schema.Properties[k]; !ok {
			t.Errorf("%q is not in the Module schema", k)
		}
	}
	for k := range schema.Properties {
		if !slices.Contains(keys, k) {
			t.Errorf("the Module schema has %q, which the API never gives", k)
		}
	}
	slices.Sort(always)
	if !slices.Equal(always, slices.Sorted(slices.Values(schema.Required))) {
		t.Errorf("the Module schema requires %v; the API always gives %v", schema.Required, always)
	}
}

// What stands at the socket's path is replaced only if it is a socket.
func TestSocketReplacesOnlyASocket(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, SocketName)
	old, err := net.Listen("unix", path) // a dead svman's
	if err != nil {
		t.Fatal(err)
	}
	old.(*net.UnixListener).SetUnlinkOnClose(false)
	old.Close()
	cfg := Config{Socket: path, Manifest: func() *manifest.Manifest { return &manifest.Manifest{StatusDir: root} }}
	s, err := Start(cfg)
	if err != nil {
		t.Fatalf("a stale socket was not replaced: %v", err)
	}
	if code, body := call(t, unixClient(path), "GET", "/v1/modules"); code != 200 || strings.TrimSpace(body) != "[]" {
		t.Errorf("GET /v1/modules: %d %s", code, body)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Errorf("socket left after Close: %v", err)
	}
	target := filepath.Join(root, "precious")
	if err := os.WriteFile(target, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, what := range []func() error{
		func() error { return os.Symlink(target, path) },
		func() error { os.Remove(path); return os.WriteFile(path, nil, 0o600) },
	} {
		if err := what(); err != nil {
			t.Fatal(err)
		}
		if s, err := Start(cfg); err == nil {
			s.Close(context.Background())
			t.Errorf("Start replaced a file that is no socket")
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "x" {
		t.Errorf("the link's target was changed")
	}
	if entries, _ := os.ReadDir(root); len(entries) != 2 {
		t.Errorf("status_dir after the refusals holds %d entries, want 2 (no temporary left)", len(entries))
	}
}

// Actions reach the engine by name; an unknown module is a 404 and asks
// nothing.
func TestActionsReachTheEngine(t *testing.T) {
	f := &fakeEngine{asked: make(chan string, 10)}
	_, c := testServer(t, Config{Engine: f}, "web.0", "web.1")
	// web.N are not supervised: the request answers once the wait is over,
	// or at once for a signal (delivered is applied).
	if code, body := call(t, c, "POST", "/v1/modules/web/signal?sig=SIGUSR1"); code != 200 {
		t.Fatalf("signal: %d %s", code, body)
	}
	for _, want := range []string{"signal web.0 USR1", "signal web.1 USR1"} {
		if got := <-f.asked; got != want && got != strings.Replace(want, "USR1", "SIGUSR1", 1) {
			t.Errorf("asked %q, want %q", got, want)
		}
	}
	if code, body := call(t, c, "POST", "/v1/modules/web.2/restart"); code != 404 {
		t.Errorf("restart of no module: %d %s", code, body)
	}
	if code, body := call(t, c, "POST", "/v1/modules/web.0/down"); code != 409 || !strings.Contains(body, "web.0: not supervised") {
		t.Errorf("down of a module no svman holds: %d %s", code, body)
	}
	select {
	case got := <-f.asked:
		t.Errorf("asked %q of the engine", got)
	default:
	}
}

// A stream that is not read is dropped once streamBuffer events are behind,
// and Publish never waits for it; beyond maxStreams, a stream is refused.
func TestEventStreamLimits(t *testing.T) {
	h := newHub(2)
	slow, fast := h.join(), h.join()
	if h.join() != nil {
		t.Fatal("a third stream joined a hub of 2")
	}
	for i := range streamBuffer + 1 {
		h.publish(Event{Module: "web", Event: "started", PID: i})
		if i < streamBuffer {
			<-fast.c // read
		}
	}
	select {
	case <-slow.gone:
	default:
		t.Fatal("a stream 1 event past its buffer was not dropped")
	}
	select {
	case <-fast.gone:
		t.Fatal("a stream that reads was dropped")
	default:
	}
	if h.count.Load() != 1 {
		t.Errorf("%d streams counted, want 1", h.count.Load())
	}
	if h.join() == nil {
		t.Error("the dropped stream's place was not freed")
	}
}

// Following logs holds an inotify instance of svman's user each: beyond
// maxFollows at once, a follow is refused with 503, and its place is free
// again once a follower leaves.
func TestFollowedLogsAreBounded(t *testing.T) {
	_, client := testServer(t, Config{}, "web")
	get := func(ctx context.Context) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://svman/v1/modules/web/logs?follow=1&n=0", nil)
		return client.Do(req)
	}
	var cancels []context.CancelFunc
	for range maxFollows {
		ctx, cancel := context.WithCancel(context.Background())
		cancels = append(cancels, cancel)
		resp, err := get(ctx) // answered once it follows: the header is flushed first
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("follower %d: %v %v", len(cancels), resp, err)
		}
		defer resp.Body.Close()
	}
	resp, err := get(context.Background())
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("follower %d: %v %v, want 503", maxFollows+1, resp, err)
	}
	resp.Body.Close()
	cancels[0]()
	testkit.WaitFor(t, "the first follower's place freed", func() bool {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		resp, err := get(ctx)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	for _, c := range cancels[1:] {
		c()
	}
}

// A log that cannot be read is an error with its code, following or not:
// not a 200 whose only line is the error.
func TestUnreadableLogIsAnError(t *testing.T) {
	s, client := testServer(t, Config{}, "web")
	dir := filepath.Join(filepath.Dir(s.cfg.Socket), "web")
	if err := os.MkdirAll(filepath.Join(dir, "__stdout"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"", "?follow=1&n=0", "?follow=1"} {
		code, body := call(t, client, "GET", "/v1/modules/web/logs"+q)
		var e struct{ Error string }
		if code != http.StatusInternalServerError || json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Error, "__stdout") {
			t.Errorf("logs%s of a directory in place of __stdout: %d %s; want 500 and an error naming it", q, code, body)
		}
	}
}

// GET /v1/usage gives each running module's pid, CPU time and memory,
// read from /proc; a module with no process is not in it.
func TestUsage(t *testing.T) {
	s, client := testServer(t, Config{}, "web", "idle")
	root := filepath.Dir(s.cfg.Socket)
	child := exec.Command("sleep", "1000")
	child.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a group of its own, as svman starts a module
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-child.Process.Pid, syscall.SIGKILL); child.Wait() })
	for _, name := range []string{"web", "idle"} {
		d, err := statusfs.Open(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		pid := 0
		if name == "web" {
			pid = child.Process.Pid
		}
		if err := d.WriteStatus(statusfs.Status{Changed: time.Now(), Want: statusfs.WantUp, PID: pid}); err != nil {
			t.Fatal(err)
		}
	}
	code, body := call(t, client, "GET", "/v1/usage")
	var got []Usage
	if err := json.Unmarshal([]byte(body), &got); code != 200 || err != nil {
		t.Fatalf("GET /v1/usage: %d %s", code, body)
	}
	if len(got) != 1 || got[0].Module != "web" || got[0].PID != child.Process.Pid || got[0].RSSBytes <= 0 || got[0].CPUSeconds < 0 {
		t.Errorf("usage: %+v; want web alone, pid %d, with memory", got, child.Process.Pid)
	}
}
