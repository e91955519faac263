package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"

	"svman/internal/testkit"
)

// chainAndHealth are two modules as the ready chain and the health figure make
// them.
func chainAndHealth() []module {
	return []module{
		{name: "m00000", argv: []string{"/x/bench", "listen", "7", "41000", "/tmp/r"}, readyTCP: "127.0.0.1:41000"},
		{name: "m00001", argv: []string{"/x/bench", "listen", "8", "41001", "/tmp/r"}, readyTCP: "127.0.0.1:41001", after: "m00000"},
		{name: "m00002", argv: []string{"sleep", "9"}, healthTCP: "127.0.0.1:42000", healthEvery: 10 * time.Second},
	}
}

func TestManifestTextProbes(t *testing.T) {
	type probe struct {
		TCP      string  `hcl:"tcp"`
		Interval *string `hcl:"interval,optional"`
	}
	type mod struct {
		Name      string            `hcl:"name,label"`
		Command   []string          `hcl:"command"`
		DependsOn map[string]string `hcl:"depends_on,optional"`
		Ready     *probe            `hcl:"ready,block"`
		Health    *probe            `hcl:"health,block"`
	}
	var file struct {
		StatusDir string `hcl:"status_dir"`
		Modules   []mod  `hcl:"module,block"`
	}
	text := manifestText(chainAndHealth())
	f, diags := hclparse.NewParser().ParseHCL([]byte(text), "supervise.hcl")
	if diags.HasErrors() {
		t.Fatalf("%v\n%s", diags, text)
	}
	if diags := gohcl.DecodeBody(f.Body, &hcl.EvalContext{}, &file); diags.HasErrors() {
		t.Fatalf("%v\n%s", diags, text)
	}
	if len(file.Modules) != 3 {
		t.Fatalf("%d modules, want 3:\n%s", len(file.Modules), text)
	}
	m0, m1, m2 := file.Modules[0], file.Modules[1], file.Modules[2]
	if m0.DependsOn != nil || m0.Ready == nil || m0.Ready.TCP != "127.0.0.1:41000" || m0.Ready.Interval != nil || m0.Health != nil {
		t.Errorf("first of the chain: %+v, want ready on 127.0.0.1:41000 with the default interval, no dependency, no health:\n%s", m0, text)
	}
	if m1.DependsOn["m00000"] != "ready" || len(m1.DependsOn) != 1 || m1.Ready == nil || m1.Ready.TCP != "127.0.0.1:41001" {
		t.Errorf("second of the chain: %+v, want depends_on = { m00000 = \"ready\" } and ready on 127.0.0.1:41001:\n%s", m1, text)
	}
	if m2.Ready != nil || m2.Health == nil || m2.Health.TCP != "127.0.0.1:42000" || m2.Health.Interval == nil || *m2.Health.Interval != "10s" {
		t.Errorf("health module: %+v, want health on 127.0.0.1:42000 every 10s and no ready block:\n%s", m2, text)
	}
	if strings.Join(m1.Command, " ") != "/x/bench listen 8 41001 /tmp/r" {
		t.Errorf("command = %q", m1.Command)
	}
}

func TestComposeTextProbes(t *testing.T) {
	got, err := composeText(chainAndHealth())
	if err != nil {
		t.Fatal(err)
	}
	want := `version: "0.5"
processes:
  m00000:
    command: "/x/bench listen 7 41000 /tmp/r"
    availability:
      restart: always
    readiness_probe:
      http_get:
        host: "127.0.0.1"
        port: "41000"
        path: "/"
      initial_delay_seconds: 0
      period_seconds: 1
      timeout_seconds: 1
  m00001:
    command: "/x/bench listen 8 41001 /tmp/r"
    availability:
      restart: always
    depends_on:
      m00000:
        condition: process_healthy
    readiness_probe:
      http_get:
        host: "127.0.0.1"
        port: "41001"
        path: "/"
      initial_delay_seconds: 0
      period_seconds: 1
      timeout_seconds: 1
  m00002:
    command: "sleep 9"
    availability:
      restart: always
    liveness_probe:
      http_get:
        host: "127.0.0.1"
        port: "42000"
        path: "/"
      initial_delay_seconds: 0
      period_seconds: 10
      timeout_seconds: 1
`
	if got != want {
		t.Errorf("composeText =\n%s\nwant\n%s", got, want)
	}
}

func TestComposeProbeWholeSeconds(t *testing.T) {
	for _, d := range []time.Duration{500 * time.Millisecond, 1500 * time.Millisecond} {
		_, err := composeText([]module{{name: "a", argv: []string{"sleep", "1"}, healthTCP: "127.0.0.1:1", healthEvery: d}})
		if err == nil {
			t.Errorf("a health check every %v was accepted; process-compose cannot run it", d)
		}
	}
}

func TestHasReady(t *testing.T) {
	for _, c := range []struct {
		datagram string
		want     bool
	}{
		{"READY=1", true},
		{"STATUS=3 of 10 ready\nREADY=1\n", true},
		{"STATUS=READY=1", false},
		{"READY=0", false},
		{"STOPPING=1", false},
	} {
		if got := hasReady([]byte(c.datagram)); got != c.want {
			t.Errorf("hasReady(%q) = %v, want %v", c.datagram, got, c.want)
		}
	}
}

// TestServeOK: a TCP probe (connect, close) and an HTTP GET both pass against
// the listener, and both are counted.
func TestServeOK(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int64
	go func() { _ = serveOK(ln, &accepted) }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET / = %s, want 200 OK", resp.Status)
	}
	testkit.WaitFor(t, "two connections counted", func() bool { return accepted.Load() == 2 })
}

// TestChainKept: the chain is kept when each module exec'd after the one before
// listened, and refused when one exec'd before.
func TestChainKept(t *testing.T) {
	const base = 3_000_000
	dir := t.TempDir()
	r := &run{instance: &instance{t: newTracker(base, chainLength)}}
	for i := range chainLength {
		at := int64(1000 + 100*i)
		r.t.pid[i], r.t.execAt[i] = 100+i, at-50 // 50 ns after the one before listened
		if err := os.WriteFile(listeningFile(dir, itoa(base+i)), []byte(itoa(int(at))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	last, gaps, err := chainKept(r, dir)
	if err != nil || last != 1000+100*(chainLength-1) {
		t.Fatalf("chainKept = %d, %v; want %d, nil", last, err, 1000+100*(chainLength-1))
	}
	if len(gaps) != chainLength-1 || gaps[0] != 50 || gaps[chainLength-2] != 50 {
		t.Errorf("gaps = %v, want %d of 50 ns (each module exec'd 50 ns after the one before listened)", gaps, chainLength-1)
	}
	r.t.execAt[4] = 1200 // before m00003 listened, at 1300
	if _, _, err := chainKept(r, dir); err == nil || !strings.Contains(err.Error(), "m00004 started") {
		t.Errorf("chainKept with m00004 started early = %v, want an error naming it", err)
	}
}

// TestListenNotify: datagrams other than READY=1 are read and dropped; the
// moment READY=1 arrived is reported.
func TestListenNotify(t *testing.T) {
	n, err := listenNotify(filepath.Join(t.TempDir(), "notify.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer n.close()
	c, err := net.Dial("unixgram", n.path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	before := monotonicNow()
	for _, d := range []string{"STATUS=1 of 2 ready", "STATUS=2 of 2 ready\nREADY=1"} {
		if _, err := c.Write([]byte(d)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case at := <-n.ready:
		if at < before {
			t.Errorf("READY=1 at %d, before it was sent (%d)", at, before)
		}
	case <-testkit.Within():
		t.Fatal("no READY=1 seen")
	}
}
