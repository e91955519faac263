package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
)

// listen listens on a loopback port until the test ends, and returns its
// address.
func listen(t *testing.T, addr string) string {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := testkit.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// A tcp probe passes when its port accepts a connection, an http probe when
// its URL answers 200 to 399; otherwise svman probe exits 1 with the probe's
// reason.
func TestProbeCommandTCPAndHTTP(t *testing.T) {
	open, closed := listen(t, "127.0.0.1:0"), freeAddr(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	p := newProject(t, fmt.Sprintf(`
module "db" {
  command = "true"
  ready { tcp = %q }
}
module "gone" {
  command = "true"
  ready { tcp = %q }
}
module "web" {
  command = "true"
  ready { http = "%s/healthz" }
}
module "api" {
  command = "true"
  ready { http = "%s/starting" }
}
`, open, closed, srv.URL, srv.URL))
	for _, tc := range []struct {
		module string
		code   int
		out    string
	}{
		{"db", exitOK, "db: ready (" + open + " accepts connections)\n"},
		{"gone", exitFailure, "svman probe: gone: ready probe failed: connect " + closed + ": connection refused\n"},
		{"web", exitOK, "web: ready (GET " + srv.URL + "/healthz passed)\n"},
		{"api", exitFailure, "svman probe: api: ready probe failed: GET " + srv.URL + "/starting: 503 Service Unavailable\n"},
	} {
		code, out, errOut := p.svmanProcess(nil, "probe", tc.module)
		if wantOut, wantErr := probeStreams(tc.code, tc.out); code != tc.code || out != wantOut || errOut != wantErr {
			t.Errorf("svman probe %s = %d %q %q, want %d %q", tc.module, code, out, errOut, tc.code, tc.out)
		}
	}
}

// An exec probe runs in the module's dir, as svman up runs it: with the
// module's whole environment (its env and env files, SVMAN_MODULE and
// SVMAN_STATUS_DIR, nothing of svman's with env_clear). A failure quotes the
// probe's first line of output.
func TestProbeCommandExecInTheModulesEnvironment(t *testing.T) {
	check := `test "$SVMAN_MODULE" = web && test "$GREETING" = hello && test "$FROM_FILE" = yes && ` +
		`test "$SVMAN_STATUS_DIR" = "$0" && test "$(pwd -P)" = "$1" || { echo "wrong: $SVMAN_MODULE $GREETING $FROM_FILE $SVMAN_STATUS_DIR $(pwd -P)"; exit 1; }`
	p := newProject(t, "")
	sub := filepath.Join(p.dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	sub, _ = filepath.EvalSymlinks(sub)
	writeFile(t, filepath.Join(p.dir, ".env"), "FROM_FILE=yes\n")
	p.write(fmt.Sprintf(`
module "web" {
  command  = "true"
  dir      = "sub"
  env      = { GREETING = "hello" }
  env_file = [".env"]
  ready { exec = ["sh", "-c", %q, %q, %q] }
}
module "bare" {
  command   = "true"
  env_clear = true
  ready { exec = ["sh", "-c", "test -z \"$HOME\" && test \"$SVMAN_MODULE\" = bare || { echo \"HOME=$HOME\"; exit 1; }"] }
}
module "sad" {
  command = "true"
  ready { exec = ["sh", "-c", "echo not today; exit 3"] }
}
`, check, p.statusDir("web"), sub))
	for _, tc := range []struct {
		module string
		code   int
		out    string
	}{
		{"web", exitOK, "web: ready (sh passed)\n"},
		{"bare", exitOK, "bare: ready (sh passed)\n"},
		{"sad", exitFailure, `svman probe: sad: ready probe failed: sh -c "echo not today; exit 3" exited with code 3: not today` + "\n"},
	} {
		code, out, errOut := p.svmanProcess([]string{"HOME=/home/svman-test"}, "probe", tc.module)
		if wantOut, wantErr := probeStreams(tc.code, tc.out); code != tc.code || out != wantOut || errOut != wantErr {
			t.Errorf("svman probe %s = %d %q %q, want %d %q", tc.module, code, out, errOut, tc.code, tc.out)
		}
	}
}

// With --wait, svman probe tries again until the probe passes: a port that
// starts listening after the first attempt failed (the test opens it once
// svman probe has said so), an exec probe that passes once the test has seen
// it fail. Without success within D it exits 1 with the last reason.
func TestProbeCommandWait(t *testing.T) {
	addr := freeAddr(t)
	p := newProject(t, fmt.Sprintf(`
module "web" {
  command = "true"
  ready { tcp = %q }
}
module "worker" {
  command = "true"
  ready { exec = ["sh", "-c", "touch tried; test -e go"] }
}
module "gone" {
  command = "true"
  ready { tcp = %q }
}
module "never" {
  command = "true"
  ready { exec = ["false"] }
}
`, addr, freeAddr(t)))

	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	s := p.startCmd(stderr, func(cmd *exec.Cmd) { cmd.Stdout, cmd.Stderr = stdout, stderr }, nil,
		"probe", "-f", p.manifestPath(), "--wait", "1m", "web")
	s.waitOutput(regexp.QuoteMeta("svman probe: web: ready probe failed, trying again for up to 1m0s: connect " + addr + ": connection refused\n"))
	listen(t, addr)
	if code := s.wait(); code != exitOK || !regexp.MustCompile(`^web: ready at attempt \d+, after \S+ \(`+regexp.QuoteMeta(addr)+` accepts connections\)\n$`).MatchString(stdout.String()) {
		t.Errorf("svman probe --wait = %d %q %q", code, stdout.String(), stderr)
	}
	if n := strings.Count(stderr.String(), "\n"); n != 1 {
		t.Errorf("stderr says the same reason %d times, want once:\n%s", n, stderr)
	}

	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	s = p.startCmd(stderr, func(cmd *exec.Cmd) { cmd.Stdout, cmd.Stderr = stdout, stderr }, nil,
		"probe", "-f", p.manifestPath(), "--wait", "1m", "worker")
	s.waitOutput(regexp.QuoteMeta(`svman probe: worker: ready probe failed, trying again for up to 1m0s: sh -c "touch tried; test -e go" exited with code 1`))
	if _, err := os.Stat(filepath.Join(p.dir, "tried")); err != nil {
		t.Fatalf("the exec probe did not run in the module's dir: %v", err)
	}
	writeFile(t, filepath.Join(p.dir, "go"), "")
	if code := s.wait(); code != exitOK || !strings.HasPrefix(stdout.String(), "worker: ready at attempt ") {
		t.Errorf("svman probe --wait worker = %d %q %q", code, stdout.String(), stderr)
	}

	// It tries until the end of the wait, not only until a pause would
	// pass it (an exec probe's pauses double: 10ms, 20ms, ... 640ms): the
	// last attempt comes less than lastAttemptLeast before.
	began := time.Now()
	if code, _, errOut := p.svmanProcess(nil, "probe", "--wait", "1s", "never"); code != exitFailure {
		t.Errorf("svman probe --wait 1s never = %d %q", code, errOut)
	}
	if took := time.Since(began); took < time.Second-lastAttemptLeast {
		t.Errorf("svman probe --wait 1s gave up after %s, before the wait was over", took)
	}
	// However short the wait, one attempt runs: a closed port never passes.
	if code, out, errOut := p.svmanProcess(nil, "probe", "--wait", "1ns", "gone"); code != exitFailure || out != "" {
		t.Errorf("svman probe --wait 1ns gone = %d %q %q, want a failed attempt", code, out, errOut)
	}
	code, out, errOut := p.svmanProcess(nil, "probe", "--wait", "200ms", "gone")
	if code != exitFailure || out != "" || !regexp.MustCompile(`svman probe: gone: ready probe did not pass within 200ms \(\d+ attempts\); the last attempt failed: connect \S+: connection refused\n$`).MatchString(errOut) {
		t.Errorf("svman probe --wait 200ms gone = %d %q %q", code, out, errOut)
	}
}

// --health runs the health check, which a module may have without a ready
// probe, and the other way round.
func TestProbeCommandHealth(t *testing.T) {
	addr := listen(t, "127.0.0.1:0")
	p := newProject(t, fmt.Sprintf(`
module "web" {
  command = "true"
  health { tcp = %q }
}
module "api" {
  command = "true"
  ready { tcp = %q }
}
`, addr, addr))
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"--health", "web"}, exitOK, "web: healthy (" + addr + " accepts connections)\n"},
		{[]string{"web"}, exitFailure, "svman probe: web has no ready block: svman up takes it as ready once it has started, and there is no probe to run\n"},
		{[]string{"--health", "api"}, exitFailure, "svman probe: api has no health block: there is no health check to run\n"},
	} {
		code, out, errOut := p.svmanProcess(nil, "probe", tc.args...)
		if wantOut, wantErr := probeStreams(tc.code, tc.out); code != tc.code || out != wantOut || errOut != wantErr {
			t.Errorf("svman probe %q = %d %q %q, want %d %q", tc.args, code, out, errOut, tc.code, tc.out)
		}
	}
}

// A ready check that only svman up can observe (the module's output, its
// notify socket, its notification fd), an unknown module, a block with
// instances and a wrong command line are refused before anything runs.
func TestProbeCommandRefuses(t *testing.T) {
	p := newProject(t, `
module "logger" {
  command = "true"
  ready { log = "listening on" }
}
module "notifier" {
  command = "true"
  ready { notify = true }
}
module "s6" {
  command = "true"
  ready { notification_fd = 3 }
}
module "web" {
  command   = "true"
  instances = 2
  ready { tcp = "127.0.0.1:${port}" }
  port_base = 5000
}
`)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"logger"}, exitFailure, `svman probe: logger is ready when its output matches log = "listening on": only svman up, which reads the module's output, can see that` + "\n"},
		{[]string{"notifier"}, exitFailure, "svman probe: notifier is ready when it says READY=1 on the notify socket svman up gives it (notify = true): only svman up can hear that\n"},
		{[]string{"s6"}, exitFailure, "svman probe: s6 is ready when it writes to the descriptor svman up gives it (notification_fd = 3): only svman up can read that\n"},
		{[]string{"web"}, exitFailure, "svman probe: module web has instances: name one of them (web.0, web.1)\n"},
		{[]string{"loger"}, exitFailure, `svman probe: no module named "loger"; did you mean "logger"? (modules: logger, notifier, s6, web, web.0, web.1)` + "\n"},
		{nil, exitUsage, "svman probe: name one module: svman probe [FLAGS] MODULE\n"},
		{[]string{"--wait", "-1s", "web.0"}, exitUsage, "svman probe: --wait -1s is negative\n"},
	} {
		// These end before an attempt, and so before a child is forked: in-process.
		code, out, errOut := p.svmanCmd("probe", tc.args...)
		if code != tc.code || out != "" || errOut != tc.want {
			t.Errorf("svman probe %q = %d %q\n%s\nwant %d and\n%s", tc.args, code, out, errOut, tc.code, tc.want)
		}
	}
}

// SIGTERM (or Ctrl-C's SIGINT) ends svman probe's attempt under way: an exec
// probe's whole process group is killed, and svman probe exits 1 saying so.
func TestProbeCommandInterrupted(t *testing.T) {
	p := newProject(t, `
module "web" {
  command = "true"
  ready {
    exec     = ["sh", "-c", "sleep 300 & echo $! > child; wait"]
    interval = "1h"
  }
}
`)
	out := &syncBuffer{}
	s := p.startCmd(out, func(cmd *exec.Cmd) { cmd.Stdout, cmd.Stderr = out, out }, nil, "probe", "-f", p.manifestPath(), "web")
	var child int
	testkit.WaitFor(t, "the probe's child to be started", func() bool {
		b, err := os.ReadFile(filepath.Join(p.dir, "child"))
		if err == nil && strings.HasSuffix(string(b), "\n") {
			child, err = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		return err == nil && child > 0
	})
	s.cmd.Process.Signal(syscall.SIGTERM)
	if code := s.wait(); code != exitFailure || !strings.HasPrefix(out.String(), "svman probe: web: interrupted before the ready probe passed: ") {
		t.Errorf("svman probe after SIGTERM = %d %q", code, out)
	}
	testkit.WaitFor(t, "the probe's child to be gone", func() bool { return !pidAlive(child) })
}

// probeStreams are the stdout and stderr of a svman probe that exits with
// code and says text: a pass is said on stdout, anything else on stderr.
func probeStreams(code int, text string) (stdout, stderr string) {
	if code == exitOK {
		return text, ""
	}
	return "", text
}
