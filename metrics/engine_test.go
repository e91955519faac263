package metrics

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"svman/engine"
	"svman/internal/proc"
	"svman/internal/testkit"
	"svman/logmux"
	"svman/manifest"
)

// supervise runs an engine with the manifest src (written in a temporary
// directory) whose events and lines feed o, until the test ends. It returns the
// directory.
func supervise(t *testing.T, o *Observer, src string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "supervise.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	reaper := proc.NewReaper()
	console := logmux.NewConsole(io.Discard, logmux.Options{})
	e, err := engine.New(engine.Config{Reaper: reaper, Output: o.Output(console), Events: o.Observe})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; reaper.Close() })
	o.Add(m.Modules)
	if _, err := e.Apply(m); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A module that exits with code 3 and is restarted: a scrape, parsed with
// Prometheus's parser, counts one exit with code 3 and one restart, shows it up
// again, and the CPU time and memory of its running process.
func TestScrapeAfterAnExitAndARestart(t *testing.T) {
	o := New(nil)
	srv := httptest.NewServer(o.Handler())
	defer srv.Close()
	supervise(t, o, `
module "flaky" {
  command = ["/bin/sh", "-c", "if [ -e ran ]; then echo again; i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; exec sleep 600; fi; touch ran; echo once; echo oops >&2; exit 3"]
  restart {
    delay = "10ms"
  }
}
module "quiet" {
  command = ["sleep", "600"]
  autostart = false
}
`)
	got := func(name string, labels ...string) float64 {
		v, _ := value(scrape(t, srv.URL+"/metrics"), name, labels...)
		return v
	}
	testkit.WaitFor(t, "flaky restarted after its exit and busy a while", func() bool {
		f := scrape(t, srv.URL+"/metrics")
		up, _ := value(f, "svman_module_up", "module", "flaky")
		cpu, _ := value(f, "svman_module_cpu_seconds_total", "module", "flaky")
		lines, _ := value(f, "svman_log_lines_total", "module", "flaky", "stream", "stdout")
		return up == 1 && cpu > 0 && lines == 2
	})
	f := scrape(t, srv.URL+"/metrics")
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"svman_module_up", []string{"module", "flaky"}, 1},
		{"svman_module_ready", []string{"module", "flaky"}, 1},
		{"svman_module_restarts_total", []string{"module", "flaky"}, 1},
		{"svman_module_exits_total", []string{"module", "flaky", "code", "3", "signal", ""}, 1},
		{"svman_module_coredumps_total", []string{"module", "flaky"}, 0},
		{"svman_module_backoff_seconds", []string{"module", "flaky"}, 0},
		{"svman_log_lines_total", []string{"module", "flaky", "stream", "stderr"}, 1},
		{"svman_module_up", []string{"module", "quiet"}, 0},
		{"svman_module_restarts_total", []string{"module", "quiet"}, 0},
	} {
		if v, ok := value(f, c.name, c.labels...); !ok || v != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.name, c.labels, v, ok, c.want)
		}
	}
	if v, _ := value(f, "svman_module_resident_memory_bytes", "module", "flaky"); v <= 0 {
		t.Errorf("resident memory of flaky's running process = %v, want > 0", v)
	}
	if _, ok := value(f, "svman_module_cpu_seconds_total", "module", "quiet"); ok {
		t.Error("a module that never started has a CPU time")
	}
	if _, ok := value(f, "svman_module_start_time_seconds", "module", "quiet"); ok {
		t.Error("a module that never started has a start time")
	}
	if v, _ := value(f, "svman_module_start_time_seconds", "module", "flaky"); v <= 0 {
		t.Errorf("start time of flaky = %v, want its start", v)
	}
	if f["svman_module_exits_total"].GetHelp() == "" || !strings.HasSuffix(f["svman_module_exits_total"].GetType().String(), "COUNTER") {
		t.Errorf("exits_total: help %q, type %v", f["svman_module_exits_total"].GetHelp(), f["svman_module_exits_total"].GetType())
	}

	// A reload that removes quiet: its series are gone, flaky's stay.
	o.Forget([]string{"quiet"})
	o.Reloaded("applied")
	f = scrape(t, srv.URL+"/metrics")
	if _, ok := value(f, "svman_module_up", "module", "quiet"); ok {
		t.Error("a removed module's series are still scraped")
	}
	if v, _ := value(f, "svman_reloads_total", "result", "applied"); v != 1 {
		t.Errorf("reloads_total{result=applied} = %v, want 1", v)
	}
	if got("svman_module_restarts_total", "module", "flaky") != 1 {
		t.Error("a reload lost the counts of a module it kept")
	}
}
