package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"svman/internal/testkit"
)

// promFile parses a metrics textfile with Prometheus's parser; nil while it is
// missing or half written (it never is: it is renamed into place).
func promFile(t *testing.T, path string) map[string]*dto.MetricFamily {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mf, err := p.TextToMetricFamilies(f)
	if err != nil {
		t.Fatalf("%s is not in the Prometheus text format: %v", path, err)
	}
	return mf
}

// promValue is the value of the series of family name whose labels include
// labels (name, value pairs); ok is false when there is none.
func promValue(mf map[string]*dto.MetricFamily, name string, labels ...string) (v float64, ok bool) {
	for _, m := range mf[name].GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			match = match && have[labels[i]] == labels[i+1]
		}
		if match {
			return m.GetCounter().GetValue() + m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

// svman up keeps the metrics textfile of its manifest: a module that exited
// with code 3 and was restarted shows one exit and one restart, and is up; a
// reload that removes a module takes its series away and counts itself; once
// svman has stopped every module, the file says so.
func TestUpWritesTheMetricsTextfile(t *testing.T) {
	const flaky = `module "flaky" {
  command = ["/bin/sh", "-c", "if [ -e ran ]; then exec sleep 100000; fi; touch ran; exit 3"]
  restart {
    delay = "0s"
  }
}
`
	const extra = `module "extra" {
  command = ["sleep", "100000"]
}
`
	const block = "metrics {\n  textfile = \"prom/svman.prom\"\n}\n"
	p := newProject(t, "")
	if err := os.Mkdir(filepath.Join(p.dir, "prom"), 0o755); err != nil {
		t.Fatal(err)
	}
	p.write(block + flaky + extra)
	path := filepath.Join(p.dir, "prom", "svman.prom")
	s := p.up()

	var mf map[string]*dto.MetricFamily
	testkit.WaitFor(t, "the textfile to show flaky restarted after its exit", func() bool {
		mf = promFile(t, path)
		up, _ := promValue(mf, "svman_module_up", "module", "flaky")
		restarts, _ := promValue(mf, "svman_module_restarts_total", "module", "flaky")
		extraUp, _ := promValue(mf, "svman_module_up", "module", "extra")
		return up == 1 && restarts == 1 && extraUp == 1
	})
	if v, ok := promValue(mf, "svman_module_exits_total", "module", "flaky", "code", "3", "signal", ""); !ok || v != 1 {
		t.Errorf("svman_module_exits_total{module=flaky,code=3} = %v (present %v), want 1", v, ok)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("textfile: %v, mode %v; want mode 0644", err, fi.Mode().Perm())
	}

	p.write(block + flaky)
	s.cmd.Process.Signal(syscall.SIGHUP)
	testkit.WaitFor(t, "the textfile to lose extra and count the reload", func() bool {
		mf = promFile(t, path)
		_, extra := promValue(mf, "svman_module_up", "module", "extra")
		reloads, _ := promValue(mf, "svman_reloads_total", "result", "applied")
		return !extra && reloads == 1
	})
	if v, _ := promValue(mf, "svman_module_restarts_total", "module", "flaky"); v != 1 {
		t.Errorf("after the reload, flaky's restarts = %v, want 1 still", v)
	}

	if code := s.stop(); code != 0 {
		t.Fatalf("svman up exited %d", code)
	}
	mf = promFile(t, path)
	if v, ok := promValue(mf, "svman_module_up", "module", "flaky"); !ok || v != 0 {
		t.Errorf("once svman has stopped, svman_module_up{module=flaky} = %v (present %v), want 0", v, ok)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("%d files in the textfile's directory, want the textfile alone", len(entries))
	}
}
