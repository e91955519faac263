package metrics

import (
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"svman/alarm"
	"svman/engine"
	"svman/internal/proc"
	"svman/manifest"
)

type nowhere struct{ sent int }

func (n *nowhere) Send(alarm.Channels, alarm.Facts) { n.sent++ }

// What a scrape shows after events a real engine cannot produce on demand (a
// kill by a signal with a core dump, a module with a ready block that is not
// ready yet, a back-off under way), alarms, and events of modules svman does not
// supervise, which change nothing.
func TestScrapeShowsWhatEventsSay(t *testing.T) {
	o := New(nil)
	srv := httptest.NewServer(o.Handler())
	defer srv.Close()
	o.Add([]manifest.Module{{Name: "db", Ready: &manifest.Ready{}}, {Name: "web"}})
	start := time.Unix(1764511200, 500_000_000)
	for _, ev := range []engine.Event{
		{Module: "db", Kind: engine.Started, PID: 1 << 22, Time: start},
		{Module: "db", Kind: engine.Exited, Exit: proc.ExitStatus{Code: -1, Signal: syscall.SIGSEGV, CoreDumped: true}},
		{Module: "db", Kind: engine.Restarting, Delay: 1500 * time.Millisecond},
		{Module: "web", Kind: engine.Started, PID: 1<<22 + 1, Time: start},
		{Module: "gone", Kind: engine.Started, PID: 1<<22 + 2, Time: start},
	} {
		o.Observe(ev)
	}
	to := &nowhere{}
	o.Alarms(to).Send(alarm.Channels{Mail: []string{"ops@example.com"}, Webhook: "http://127.0.0.1:1/"}, alarm.Facts{Module: "db"})
	o.AlarmFailed("db", "webhook")
	o.AlarmFailed("gone", "mail")
	if to.sent != 1 {
		t.Errorf("the alarm reached the sender %d times, want 1", to.sent)
	}

	f := scrape(t, srv.URL)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"svman_module_up", []string{"module", "db"}, 0},
		{"svman_module_ready", []string{"module", "db"}, 0},
		{"svman_module_exits_total", []string{"module", "db", "code", "", "signal", "SIGSEGV"}, 1},
		{"svman_module_coredumps_total", []string{"module", "db"}, 1},
		{"svman_module_restarts_total", []string{"module", "db"}, 1},
		{"svman_module_backoff_seconds", []string{"module", "db"}, 1.5},
		{"svman_module_start_time_seconds", []string{"module", "db"}, 1764511200.5},
		{"svman_module_up", []string{"module", "web"}, 1},
		{"svman_module_ready", []string{"module", "web"}, 1}, // no ready block: ready once up
		{"svman_alarms_total", []string{"module", "db", "channel", "mail", "result", "sent"}, 1},
		{"svman_alarms_total", []string{"module", "db", "channel", "webhook", "result", "sent"}, 1},
		{"svman_alarms_total", []string{"module", "db", "channel", "webhook", "result", "failed"}, 1},
	} {
		if v, ok := value(f, c.name, c.labels...); !ok || v != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.name, c.labels, v, ok, c.want)
		}
	}
	if _, ok := value(f, "svman_alarms_total", "module", "db", "channel", "exec", "result", "sent"); ok {
		t.Error("an alarm counted on a channel the module does not use")
	}
	if _, ok := f["svman_console_dropped_lines_total"]; ok {
		t.Error("dropped lines shown without a console")
	}
	for name, fam := range f {
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "module" && l.GetValue() == "gone" {
					t.Errorf("%s has a series of a module svman does not supervise", name)
				}
			}
		}
	}

	// db starts again and its ready probe passes; web's removal takes its series.
	o.Observe(engine.Event{Module: "db", Kind: engine.Started, PID: 1 << 22, Time: start.Add(time.Minute)})
	o.Observe(engine.Event{Module: "db", Kind: engine.Ready})
	o.Forget([]string{"web"})
	f = scrape(t, srv.URL)
	if v, _ := value(f, "svman_module_ready", "module", "db"); v != 1 {
		t.Errorf("ready after the Ready event = %v, want 1", v)
	}
	if v, _ := value(f, "svman_module_backoff_seconds", "module", "db"); v != 0 {
		t.Errorf("backoff once started = %v, want 0", v)
	}
	if _, ok := value(f, "svman_module_up", "module", "web"); ok {
		t.Error("a forgotten module is still scraped")
	}
}
