package manifest

import "time"

// Condition is what a dependency must be before its dependent starts
// (depends_on = { db = "ready" }).
type Condition string

const (
	// CondStarted: the dependency's child has been started.
	CondStarted Condition = "started"
	// CondReady: the dependency's ready probe has succeeded (or it has none and
	// has started).
	CondReady Condition = "ready"
	// CondCompleted: the dependency exited with one of its success exit codes,
	// a one-shot such as a migration; it stays satisfied while that module is
	// down after its success.
	CondCompleted Condition = "completed"
	// CondHealthy: the dependency is ready and its last health check passed
	// (ready, for a module without a health block).
	CondHealthy Condition = "healthy"
)

// DependencyRestart is what a running module does when one of its
// dependencies stops or restarts (on_dependency_restart).
type DependencyRestart string

const (
	// DepIgnore: keep running; only a start waits for the dependencies. The
	// default.
	DepIgnore DependencyRestart = "ignore"
	// DepRestart: stop with the dependency (before it, when the operator takes
	// it down), wait until it satisfies the condition again, then start.
	DepRestart DependencyRestart = "restart"
)

// ReadyTimeout is what a module whose ready probe has not succeeded within
// Ready.Timeout has done to it (on_timeout), after the not_ready alarm.
type ReadyTimeout string

const (
	// ReadyTimeoutRestart: the module is restarted, counted like an unexpected
	// exit in the alarm window. The default.
	ReadyTimeoutRestart ReadyTimeout = "restart"
	// ReadyTimeoutKeep: the module keeps running, not ready; the probe goes on.
	ReadyTimeoutKeep ReadyTimeout = "keep"
)

// Probe is one check svman runs against a module: exactly one of its fields
// is set. Probes run without a shell, in the module's dir, with its
// environment and user.
//
// Probe holds a slice: compare two of them with reflect.DeepEqual, not ==.
type Probe struct {
	// HTTP is an http:// or https:// URL; a status 200-399 passes. Redirects
	// are followed only on the same host.
	HTTP string
	// TCP is a host:port that must accept a connection.
	TCP string
	// Exec is an argv run directly (its program path resolved like OnExit's);
	// exit 0 passes.
	Exec []string
	// Log is a regular expression (RE2 syntax, checked at load): the module is
	// ready when a line of its stdout or stderr matches. Ready blocks only.
	Log string
}

// Set reports whether p names a check at all.
func (p Probe) Set() bool { return p.HTTP != "" || p.TCP != "" || p.Exec != nil || p.Log != "" }

// Ready is how svman knows that a started module is ready (a ready block). A
// module without one is ready as soon as its child has started.
//
// Ready holds a slice: compare two of them with reflect.DeepEqual, not ==.
type Ready struct {
	// Probe is polled from the start: at once, then backing off from
	// ProbeFirstConnect (tcp, http) or ProbeFirst (exec) up to Interval. It may be unset when Notify or
	// NotificationFD is the signal.
	Probe
	// Notify gives the child a NOTIFY_SOCKET speaking systemd's sd_notify
	// protocol; READY=1 makes the module ready.
	Notify bool
	// NotificationFD (s6's notification-fd) is the descriptor, 3 or more, the
	// child writes a newline to when it is ready; 0 when unset.
	NotificationFD int
	// Watchdog, with Notify, is WATCHDOG_USEC: a child that sends no
	// WATCHDOG=1 for this long has failed a health check. 0 when unset.
	Watchdog time.Duration
	// Timeout is how long the module may take to become ready (default 60s).
	Timeout time.Duration
	// Interval is the longest wait between two probe attempts (default 1s);
	// it also bounds each attempt, to no less than a second.
	Interval time.Duration
	// OnTimeout is what a module not ready within Timeout has done to it.
	OnTimeout ReadyTimeout
}

// Health is a module's liveness check, run once it is ready (a health block).
//
// Health holds a slice: compare two of them with reflect.DeepEqual, not ==.
type Health struct {
	// Probe is an exec, http or tcp check (not log).
	Probe
	// Interval is the time between two checks (default 10s).
	Interval time.Duration
	// Timeout bounds one check (default 2s); a check that takes longer fails
	// and, if it is a process, is killed.
	Timeout time.Duration
	// Failures is how many checks in a row must fail before the module is
	// restarted (default 3, at least 1).
	Failures int
}

// Defaults of the ready and health blocks, and the first wait of a ready
// probe's back-off (internal/probe.Backoff).
const (
	DefaultReadyTimeout   = 60 * time.Second
	DefaultReadyInterval  = time.Second
	DefaultHealthInterval = 10 * time.Second
	DefaultHealthTimeout  = 2 * time.Second
	DefaultHealthFailures = 3
	ProbeFirst            = 10 * time.Millisecond // an exec probe's
	ProbeFirstConnect     = time.Millisecond      // a tcp or http probe's
)
