package manifest

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// This file decodes the ready and health blocks (see readiness.go for what
// they mean) and the checks they hold.

const (
	howToWriteProbeExec = `Write the program and its arguments as a list, such as ["./bin/api", "ping"]; it passes when it exits 0.`
	howToWriteTCP       = `Write a host and a port such as "127.0.0.1:5432" or "[::1]:6379".`
	howToWriteLog       = `Write an RE2 regular expression (Go's syntax) that a line of the module's output matches once it is ready, such as "listening on .*:8080".`
)

// check is one check written in a ready or health block: its attribute's name
// and where its value is.
type check struct {
	name string
	at   hcl.Range
}

// ready evaluates a module's ready block (at most one); nil when there is none.
// Unset timings get their defaults (readiness.go).
func (ev *evaluator) ready(blocks []*rawReady, baseDir string) *Ready {
	b := onlyOne(ev, "ready", blocks, func(b *rawReady) hcl.Range { return b.DefRange })
	if b == nil {
		return nil
	}
	var checks []check
	r := &Ready{
		Probe:     ev.probe(&checks, b.HTTP, b.TCP, b.Exec, baseDir),
		Timeout:   valueOr(ev.positiveDuration("timeout", b.Timeout), DefaultReadyTimeout),
		Interval:  valueOr(ev.positiveDuration("interval", b.Interval), DefaultReadyInterval),
		OnTimeout: valueOr(ev.onTimeout(b.OnTimeout), ReadyTimeoutRestart),
	}
	ev.written(&checks, "log", b.Log, func() bool { return ev.logPattern(b.Log, &r.Log) })
	ev.written(&checks, "notify = true", b.Notify, func() bool {
		n := ev.boolean("notify", b.Notify)
		r.Notify = n != nil && *n
		return r.Notify
	})
	ev.written(&checks, "notification_fd", b.NotificationFD, func() bool {
		fd := ev.intIn("notification_fd", b.NotificationFD, 3, 1023,
			"0, 1 and 2 are the module's stdin, stdout and stderr; write 3, the number s6 uses, unless the program expects another.")
		r.NotificationFD = valueOr(fd, 0)
		return fd != nil
	})
	if w := ev.positiveDuration("watchdog", b.Watchdog); w != nil {
		if !r.Notify {
			ev.errorf(b.Watchdog.Range(), "Watchdog without notify",
				"The module keeps its watchdog alive by sending WATCHDOG=1 through the notify socket, which only notify = true gives it. Add notify = true to this ready block, or remove watchdog.")
		}
		r.Watchdog = *w
	}
	ev.oneCheck("ready", b.DefRange, checks,
		"give it one of http, tcp, exec, log, notify = true or notification_fd. Without a ready block a module is ready as soon as it has started.")
	return r
}

// health evaluates a module's health block (at most one); nil when there is
// none.
func (ev *evaluator) health(blocks []*rawHealth, baseDir string) *Health {
	b := onlyOne(ev, "health", blocks, func(b *rawHealth) hcl.Range { return b.DefRange })
	if b == nil {
		return nil
	}
	misplacedLog := isSet(b.Log)
	if misplacedLog {
		ev.errorf(b.Log.Range(), "Log check in a health block",
			"A log line says once that a module is ready; it cannot say later that the module is still alive. Move log to the ready block, and check health with exec, http or tcp.")
	}
	var checks []check
	h := &Health{
		Probe:    ev.probe(&checks, b.HTTP, b.TCP, b.Exec, baseDir),
		Interval: valueOr(ev.positiveDuration("interval", b.Interval), DefaultHealthInterval),
		Timeout:  valueOr(ev.positiveDuration("timeout", b.Timeout), DefaultHealthTimeout),
		Failures: valueOr(ev.intIn("failures", b.Failures, 1, 1<<31-1,
			"It is how many checks in a row must fail before the module is restarted; 1 restarts it at the first failure."), DefaultHealthFailures),
	}
	if !misplacedLog || len(checks) > 0 { // a lone log has said enough
		ev.oneCheck("health", b.DefRange, checks, "give it one of exec, http or tcp.")
	}
	return h
}

// probe evaluates the http, tcp and exec checks common to ready and health,
// adding each one written to checks.
func (ev *evaluator) probe(checks *[]check, httpExpr, tcpExpr, execExpr hcl.Expression, baseDir string) Probe {
	var p Probe
	ev.written(checks, "http", httpExpr, func() bool {
		u := ev.httpURL("http", httpExpr, "http://127.0.0.1:8080/healthz")
		p.HTTP = valueOr(u, "")
		return u != nil
	})
	ev.written(checks, "tcp", tcpExpr, func() bool { return ev.tcpAddr(tcpExpr, &p.TCP) })
	ev.written(checks, "exec", execExpr, func() bool {
		argv := ev.program("exec", execExpr, baseDir, howToWriteProbeExec)
		p.Exec = valueOr(argv, nil)
		return argv != nil
	})
	return p
}

// written runs eval, which evaluates the check name written as expr, and adds
// that check to checks when it is set, valid or not (an invalid one has its
// own diagnostic, and still counts towards "more than one check"). It reports
// whether the check was added.
func (ev *evaluator) written(checks *[]check, name string, expr hcl.Expression, eval func() bool) bool {
	before := len(ev.diags)
	if eval() || len(ev.diags) > before {
		*checks = append(*checks, check{name, rangeOf(expr)})
		return true
	}
	return false
}

// oneCheck reports a block (ready or health, at def) that holds no check, or
// more than one, at the second in the source: a module has one way of being
// ready, and one liveness check.
func (ev *evaluator) oneCheck(block string, def hcl.Range, checks []check, how string) {
	switch len(checks) {
	case 1:
		return
	case 0:
		ev.errorf(def, "No check in "+block+" block", "This %s block does not say what to check: %s", block, how)
		return
	}
	slices.SortFunc(checks, func(a, b check) int { return a.at.Start.Byte - b.at.Start.Byte })
	names := make([]string, len(checks))
	for i, c := range checks {
		names[i] = c.name
	}
	ev.errorf(checks[1].at, "More than one check in "+block+" block",
		"This %s block has %s, but it takes exactly one check. Keep the one that tells best, and remove the others.", block, joinList(names, "and"))
}

// joinList joins names as "a, b and c" (conj "and") or "a, b or c".
func joinList(names []string, conj string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " " + conj + " " + names[len(names)-1]
}

// tcpAddr evaluates a tcp check into *out: host:port, with a host and a port
// number from 1 to 65535.
func (ev *evaluator) tcpAddr(expr hcl.Expression, out *string) bool {
	s := ev.str("tcp", expr)
	if s == nil {
		return false
	}
	rng := expr.Range()
	host, port, err := net.SplitHostPort(*s)
	if err != nil {
		ev.errorf(rng, "Invalid tcp", "%s is not a host and a port%s. %s", ev.quote(rng, *s), ev.because(rng, strings.TrimPrefix(err.Error(), "address "+*s+": ")), howToWriteTCP)
		return false
	}
	if host == "" {
		ev.errorf(rng, "Invalid tcp", "%s has no host. %s", ev.quote(rng, *s), howToWriteTCP)
		return false
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		ev.errorf(rng, "Invalid tcp", "The port of %s must be a number from 1 to 65535. %s", ev.quote(rng, *s), howToWriteTCP)
		return false
	}
	*out = *s
	return true
}

// logPattern evaluates a log check into *out: a regular expression that
// compiles, and matches less than every line.
func (ev *evaluator) logPattern(expr hcl.Expression, out *string) bool {
	s := ev.str("log", expr)
	if s == nil {
		return false
	}
	rng := expr.Range()
	if *s == "" {
		ev.errorf(rng, "Empty log", "An empty pattern matches the first line the module writes, whatever it says. %s", howToWriteLog)
		return false
	}
	if _, err := regexp.Compile(*s); err != nil {
		ev.errorf(rng, "Invalid log", "%s is not a regular expression%s. %s", ev.quote(rng, *s), ev.because(rng, strings.TrimPrefix(err.Error(), "error parsing regexp: ")), howToWriteLog)
		return false
	}
	*out = *s
	return true
}

// onTimeout evaluates a ready block's on_timeout.
func (ev *evaluator) onTimeout(expr hcl.Expression) *ReadyTimeout {
	s := ev.str("on_timeout", expr)
	if s == nil || !ev.oneOf(expr.Range(), *s, "on_timeout", "a value of on_timeout", []string{string(ReadyTimeoutRestart), string(ReadyTimeoutKeep)}) {
		return nil
	}
	t := ReadyTimeout(*s)
	return &t
}

// onDependencyRestart evaluates on_dependency_restart.
func (ev *evaluator) onDependencyRestart(expr hcl.Expression) *DependencyRestart {
	s := ev.str("on_dependency_restart", expr)
	if s == nil || !ev.oneOf(expr.Range(), *s, "on_dependency_restart", "a value of on_dependency_restart", []string{string(DepIgnore), string(DepRestart)}) {
		return nil
	}
	d := DependencyRestart(*s)
	return &d
}

// oneOf checks that s, written at rng, is one of known, reporting it with the
// closest one otherwise. what names it in the summary ("condition"), noun in
// the detail ("a condition").
func (ev *evaluator) oneOf(rng hcl.Range, s, what, noun string, known []string) bool {
	for _, k := range known {
		if s == k {
			return true
		}
	}
	quoted := make([]string, len(known))
	for i, k := range known {
		quoted[i] = strconv.Quote(k)
	}
	hint := "use " + joinList(quoted, "or") + "."
	if m := Suggest(s, known); m != "" && !ev.isSensitive(rng) {
		hint = fmt.Sprintf("did you mean %q?", m)
	}
	ev.errorf(rng, "Unknown "+what, "%s is not %s; %s", ev.quote(rng, s), noun, hint)
	return false
}

// isSet reports whether expr is written, as something other than null. It is
// evaluated without functions, so that nothing is read twice: a call counts as
// set.
func isSet(expr hcl.Expression) bool {
	if expr == nil {
		return false
	}
	v, diags := expr.Value(nil)
	return diags.HasErrors() || !v.IsNull()
}
