package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"svman/internal/proc"
)

// The series, described once. Every per-module series has the label module.
var (
	descUp        = desc("module_up", "1 while the module's process runs, 0 otherwise.")
	descReady     = desc("module_ready", "1 while the module is ready (its ready block passed; without one, while it runs), 0 otherwise.")
	descRestarts  = desc("module_restarts_total", "Starts svman scheduled after the module's process ended (its restart policy).")
	descExits     = desc("module_exits_total", "Ends of the module's process, by exit code (code, empty when a signal killed it) or killing signal (signal).", "code", "signal")
	descCoredumps = desc("module_coredumps_total", "Ends of the module's process that dumped core.")
	descBackoff   = desc("module_backoff_seconds", "How long svman waited, at the last scheduled start, before starting the module again; 0 once it started.")
	descStartTime = desc("module_start_time_seconds", "When the module's process last started, in seconds since the Unix epoch; absent before its first start.")
	descCPU       = desc("module_cpu_seconds_total", "User and system CPU time of the live processes of the module's process group, read from /proc at the scrape.")
	descRSS       = desc("module_resident_memory_bytes", "Resident memory of the live processes of the module's process group, read from /proc at the scrape.")
	descAlarms    = desc("alarms_total", "Alarms handed to a channel (result sent) and deliveries that failed (result failed), by channel: mail, webhook or exec.", "channel", "result")
	descLines     = desc("log_lines_total", "Lines the module wrote, by stream: stdout or stderr.", "stream")
	descDropped   = prometheus.NewDesc("svman_console_dropped_lines_total", "Lines of modules the console did not show because it could not keep up (the log files have them).", nil, nil)
	descReloads   = prometheus.NewDesc("svman_reloads_total", "Reloads of the manifest, by result: applied, partial (some modules could not be applied), failed (nothing applied) or invalid (the manifest did not load).", []string{"result"}, nil)
)

// desc describes a per-module series svman_NAME.
func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("svman_"+name, help, append([]string{"module"}, labels...), nil)
}

// collector gathers an Observer's series when a registry asks; with usage,
// the CPU time and memory of the modules too.
type collector struct {
	o     *Observer
	usage bool
}

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUp, descReady, descRestarts, descExits, descCoredumps, descBackoff,
		descStartTime, descAlarms, descLines, descDropped, descReloads} {
		ch <- d
	}
	if c.usage {
		ch <- descCPU
		ch <- descRSS
	}
}

// Collect sends every series: the counts as they are, then the CPU time and
// memory of the running modules' process groups, read from /proc outside the
// Observer's lock.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	o := c.o
	var out []prometheus.Metric
	add := func(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
		out = append(out, prometheus.MustNewConstMetric(d, t, v, labels...))
	}
	groups := map[int]string{} // process group → module
	o.mu.Lock()
	for name, m := range o.mods {
		add(descUp, prometheus.GaugeValue, bool01(m.pid != 0), name)
		add(descReady, prometheus.GaugeValue, bool01(m.ready), name)
		add(descRestarts, prometheus.CounterValue, float64(m.restarts), name)
		add(descCoredumps, prometheus.CounterValue, float64(m.coredumps), name)
		add(descBackoff, prometheus.GaugeValue, m.backoff.Seconds(), name)
		if !m.start.IsZero() {
			add(descStartTime, prometheus.GaugeValue, float64(m.start.Unix())+float64(m.start.Nanosecond())/1e9, name)
		}
		for k, n := range m.exits {
			add(descExits, prometheus.CounterValue, float64(n), name, k.code, k.signal)
		}
		add(descLines, prometheus.CounterValue, float64(m.lines[0].Load()), name, "stdout")
		add(descLines, prometheus.CounterValue, float64(m.lines[1].Load()), name, "stderr")
		if m.pid != 0 && c.usage {
			groups[m.pid] = name
		}
	}
	for k, n := range o.alarms {
		add(descAlarms, prometheus.CounterValue, float64(n), k.module, k.channel, k.result)
	}
	for result, n := range o.reloads {
		add(descReloads, prometheus.CounterValue, float64(n), result)
	}
	o.mu.Unlock()
	if o.dropped != nil {
		add(descDropped, prometheus.CounterValue, float64(o.dropped()))
	}
	if len(groups) > 0 {
		pgids := make(map[int]bool, len(groups))
		for g := range groups {
			pgids[g] = true
		}
		for g, u := range proc.GroupUsage(pgids) {
			add(descCPU, prometheus.CounterValue, u.CPU.Seconds(), groups[g])
			add(descRSS, prometheus.GaugeValue, float64(u.RSS), groups[g])
		}
	}
	for _, m := range out {
		ch <- m
	}
}

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
