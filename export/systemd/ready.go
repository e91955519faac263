package systemd

import (
	"fmt"
	"time"

	"svman/manifest"
)

// probeGrace is how much longer than ready's timeout systemd lets a start
// with a probe take: svman probe's own deadline comes first, so that the
// unit fails for the probe's reason rather than for systemd's timeout.
const probeGrace = 10 * time.Second

// start is how the unit of a module starts: its Type=, and the lines that
// go with it after ExecStart=.
type start struct {
	typ   string
	lines section
}

// write adds the lines of s to the unit's [Service] section.
func (s start) write(u *unit) { u.service = append(u.service, s.lines...) }

// slowStart reports whether systemd's start of mod lasts past the start of
// its program (so that After= waits for more than svman's "started"): a
// one-shot's lasts until it exits, a ready check's until it passes.
func (x *exporter) slowStart(mod manifest.Module) bool {
	r := mod.Ready
	return x.completed[mod.Name] || r != nil && (r.Notify || r.HTTP != "" || r.TCP != "" || r.Exec != nil)
}

// start says how the unit of mod starts, which is how systemd knows that it
// is ready, and notes the ready checks systemd cannot run:
//
//   - a module another depends on as completed is a one-shot that remains
//     active after its exit (Type=oneshot, RemainAfterExit=yes): After=
//     waits for its exit, and its success, as svman's completed does;
//   - no ready block: ready once its program runs (Type=exec);
//   - notify = true: Type=notify, with NotifyAccess=all since svman hears
//     READY=1 from any of the module's processes, and its watchdog;
//   - an http, tcp or exec check: Type=exec and svman probe as
//     ExecStartPost=, which ends the start once the check passes;
//   - a log line or a notification fd: noted, and Type=exec.
func (x *exporter) start(mod manifest.Module) start {
	r := mod.Ready
	var s start
	switch {
	case x.completed[mod.Name]:
		s.typ = "oneshot"
		s.lines.set("RemainAfterExit", "yes")
		// A one-shot's start lasts its whole run, which svman does not limit.
		s.lines.set("TimeoutStartSec", "infinity")
		if r != nil {
			x.notes.Lost(mod, "ready", "Ready check of a one-shot not exported",
				"Another module depends on this one being completed, so its unit is a one-shot (Type=oneshot) whose start lasts until it exits: the modules that wait for it wait for that, and systemd runs no ready check.")
		}
	case r == nil:
		s.typ = "exec"
	case r.Notify:
		s.typ = "notify"
		s.lines.set("NotifyAccess", "all")
		if r.OnTimeout == manifest.ReadyTimeoutKeep {
			// Not ready, kept running, and waited for by its dependents.
			s.lines.set("TimeoutStartSec", "infinity")
			x.notes.Lost(mod, "ready.on_timeout", "No alarm at the ready timeout",
				"TimeoutStartSec=infinity keeps the module running, not ready, as on_timeout = \"keep\" does, with its dependents waiting; but nothing happens at the timeout: no not_ready alarm is raised.")
		} else {
			s.lines.set("TimeoutStartSec", timespan(r.Timeout))
		}
		if r.Watchdog > 0 {
			s.lines.set("WatchdogSec", timespan(r.Watchdog))
			// svman stops a module whose watchdog ran out as any other, with
			// its stop signal, not systemd's SIGABRT.
			s.lines.set("WatchdogSignal", manifest.SignalName(mod.StopSignal))
			if h := mod.Health; h != nil && h.Failures > 1 {
				x.notes.Lost(mod, "ready.watchdog", "Watchdog stops at the first miss",
					fmt.Sprintf("systemd stops the unit (result watchdog, then Restart=) at the first time no WATCHDOG=1 came within WatchdogSec=. svman counts a missed WATCHDOG=1 as one failed health check: it stops the module (unhealthy) only at health.failures = %d failed checks in a row, missed watchdogs and failed health checks together, and a passing health check starts the count again. Without a health block, or with failures = 1, svman too stops it at the first miss.", h.Failures))
			}
		}
	case r.HTTP != "" || r.TCP != "" || r.Exec != nil:
		s.typ = "exec"
		// svman runs a module's checks with the module's user, switching to
		// it as root. "+" runs svman probe as the unit's manager does (root,
		// not User=), so that it can read the manifest and switch as svman
		// up would.
		flags := ""
		if !x.o.User && (mod.User != nil || mod.Group != nil) {
			flags = "+"
		}
		line, ok := x.svmanLine(serviceName(mod.Name), flags, "probe", "--wait", r.Timeout.String(), mod.Name)
		if !ok {
			break
		}
		s.lines.set("ExecStartPost", line)
		s.lines.set("TimeoutStartSec", timespan(r.Timeout+probeGrace))
		if r.OnTimeout == manifest.ReadyTimeoutKeep {
			x.notes.Lost(mod, "ready.on_timeout", "on_timeout = \"keep\" not exported",
				"svman probe gives up after the ready timeout, and the unit's start fails then: Restart= restarts it as on_timeout = \"restart\" would. systemd cannot keep running a unit that is not ready while it goes on checking; with notify = true it can (the start then never times out).")
		}
	case r.Log != "":
		s.typ = "exec"
		x.notes.Lost(mod, "ready.log", "Ready by log line not exported",
			"systemd cannot watch a module's output for a line: the unit is ready as soon as its program has started, and the modules that wait for it start then. Have the module speak sd_notify (notify = true), or check it with http, tcp or exec.")
	default:
		s.typ = "exec"
		x.notes.Lost(mod, "ready.notification_fd", "Notification fd not exported",
			"systemd has no s6 notification fd: the descriptor is not open in the module, which is ready as soon as its program has started. Have the module send READY=1 to $NOTIFY_SOCKET (notify = true), or check it with http, tcp or exec.")
	}
	return s
}
