package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"svman/engine"
	"svman/manifest"
)

// Observer counts what happens to the modules of one svman. Its methods are
// safe for concurrent use, never block on anything but its own short lock, and
// are no-ops on a nil Observer, so that a command without metrics passes nil.
type Observer struct {
	reg     *prometheus.Registry // every series, for a scrape
	fileReg *prometheus.Registry // every series but those read from /proc, for the textfile
	changed chan struct{}        // buffered for one: something shown changed (textfile.go)
	paths   chan string          // buffered for one: the textfile to keep (SetTextfile)

	textfileWakes atomic.Uint64 // how many times RunTextfile woke up, for tests
	textfileOn    atomic.Bool   // a textfile is kept: changes are worth telling RunTextfile
	dropped       func() int64  // the console's lines not shown; nil: none

	lines sync.Map // module name → *lineCounts, as mods has them; read by Output

	mu      sync.Mutex         // guards the fields below
	mods    map[string]*module // the modules in force, by name
	alarms  map[alarmKey]uint64
	reloads map[string]uint64
}

// module is what the Observer knows of one module. Guarded by Observer.mu, but
// lines, which Output counts without the lock.
type module struct {
	readyBlock bool // its readiness is told by Ready events; else it is ready once up
	pid        int  // the child's, which leads its process group; 0 while down
	ready      bool
	start      time.Time // of the last start
	backoff    time.Duration
	restarts   uint64
	coredumps  uint64
	exits      map[exitKey]uint64
	lines      *lineCounts // shared with Observer.lines
}

// lineCounts are the lines a module wrote, by stream: Output counts them
// without the Observer's lock.
type lineCounts [2]atomic.Uint64 // logmux.Stdout, logmux.Stderr

type exitKey struct{ code, signal string }

type alarmKey struct{ module, channel, result string }

// New returns an Observer with no module. dropped, if not nil, tells how many
// lines the console has not shown since svman started (logmux.Console.Dropped);
// it is called when metrics are gathered.
func New(dropped func() int64) *Observer {
	o := &Observer{
		reg:     prometheus.NewRegistry(),
		fileReg: prometheus.NewRegistry(),
		changed: make(chan struct{}, 1),
		paths:   make(chan string, 1),
		dropped: dropped,
		mods:    make(map[string]*module),
		alarms:  make(map[alarmKey]uint64),
		reloads: make(map[string]uint64),
	}
	o.reg.MustRegister(collector{o, true})
	o.fileReg.MustRegister(collector{o, false})
	return o
}

// Add makes the modules of mods known, before they are applied: events of a
// module that is not known are ignored (those of a module that stops after
// its removal). A module known already keeps its counts. It returns the names
// it did not know, for a caller whose apply fails to Forget.
func (o *Observer) Add(mods []manifest.Module) (added []string) {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	for _, m := range mods {
		if mod := o.mods[m.Name]; mod != nil {
			mod.readyBlock = m.Ready != nil
			continue
		}
		mod := &module{readyBlock: m.Ready != nil, exits: map[exitKey]uint64{}, lines: new(lineCounts)}
		o.mods[m.Name] = mod
		o.lines.Store(m.Name, mod.lines)
		added = append(added, m.Name)
	}
	o.mu.Unlock()
	o.touch()
	return added
}

// Forget drops the modules named, and their series: svman up calls it with
// the modules a reload removed.
func (o *Observer) Forget(names []string) {
	if o == nil || len(names) == 0 {
		return
	}
	gone := make(map[string]bool, len(names))
	o.mu.Lock()
	for _, n := range names {
		gone[n] = true
		delete(o.mods, n)
		o.lines.Delete(n)
	}
	for k := range o.alarms {
		if gone[k.module] {
			delete(o.alarms, k)
		}
	}
	o.mu.Unlock()
	o.touch()
}

// Observe counts one engine event. It is engine.Config.Events's to call (from
// the supervisors' goroutines): it takes a short lock and never blocks.
func (o *Observer) Observe(ev engine.Event) {
	if o == nil {
		return
	}
	o.mu.Lock()
	m := o.mods[ev.Module]
	if m == nil || !m.observe(ev) {
		o.mu.Unlock()
		return
	}
	o.mu.Unlock()
	o.touch()
}

// observe applies ev to m and reports whether it changed what is shown.
func (m *module) observe(ev engine.Event) bool {
	switch ev.Kind {
	case engine.Started:
		m.pid, m.start, m.backoff = ev.PID, ev.Time, 0
		m.ready = !m.readyBlock
	case engine.Exited:
		m.pid, m.ready = 0, false
		k := exitKey{}
		if ev.Exit.Signal != 0 {
			k.signal = manifest.SignalName(ev.Exit.Signal)
		} else {
			k.code = strconv.Itoa(ev.Exit.Code)
		}
		m.exits[k]++
		if ev.Exit.CoreDumped {
			m.coredumps++
		}
	case engine.Restarting:
		m.restarts++
		m.backoff = ev.Delay
	case engine.Ready:
		m.ready = true
	case engine.NotReady:
		m.ready = false
	case engine.Stopped, engine.Released, engine.GaveUp: // no start is coming
		if m.backoff == 0 {
			return false
		}
		m.backoff = 0
	default:
		return false
	}
	return true
}

// Reloaded counts one reload of the manifest by its result: "applied",
// "partial" (applied but for some modules), "failed" (nothing applied) or
// "invalid" (the manifest did not load).
func (o *Observer) Reloaded(result string) {
	if o == nil {
		return
	}
	o.mu.Lock()
	o.reloads[result]++
	o.mu.Unlock()
	o.touch()
}

// AlarmFailed counts a delivery of an alarm of module through channel ("mail",
// "webhook" or "exec") that failed: the alarm sender's Failed callback.
func (o *Observer) AlarmFailed(module, channel string) { o.alarm(module, channel, "failed") }

// alarm counts one alarm of a known module, by channel and result.
func (o *Observer) alarm(module, channel, result string) {
	if o == nil {
		return
	}
	o.mu.Lock()
	if o.mods[module] == nil {
		o.mu.Unlock()
		return
	}
	o.alarms[alarmKey{module, channel, result}]++
	o.mu.Unlock()
	o.touch()
}

// Handler answers GET /metrics in the Prometheus text format (or in another
// format the scraper asks for that Prometheus's library speaks). Each scrape
// reads the modules' CPU time and memory from /proc.
func (o *Observer) Handler() http.Handler {
	return promhttp.HandlerFor(o.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// touch says that something shown changed, without waiting.
func (o *Observer) touch() {
	if !o.textfileOn.Load() { // a scrape reads the values when it comes: nothing to wake
		return
	}
	select {
	case o.changed <- struct{}{}:
	default:
	}
}
