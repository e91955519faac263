package nomad

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"svman/export"
	"svman/manifest"
)

// moduleNotes notes what the task of mod cannot carry of the settings its
// manifest wrote, field by field; main is false for a module that runs
// only as a prestart task (a completed dependency). A note never names an
// instance, so that a block's instances share it, and a note on a field
// the defaults block may hold names no module, so that the modules that
// inherit it share it too.
func moduleNotes(mod manifest.Module, main bool, project string, n *export.Notes) {
	lost := func(path, summary, detail string, args ...any) {
		if n.Written(mod, path) {
			n.Lost(mod, path, summary, fmt.Sprintf(detail, args...))
		}
	}
	lost("group", "Group not exported", "Nomad runs a task with its user's primary group, not with group %s. Make %s the user's primary group, or have the program set its group.", credName(mod.Group), credName(mod.Group))
	lost("umask", "Umask not exported", "Nomad sets no umask: the task inherits the client's, not %03o. Set it in the program, or run it through a shell: command = \"umask %03o && exec ...\".", valueOr(mod.Umask), valueOr(mod.Umask))
	if mod.EnvClear {
		lost("env_clear", "Environment not cleared", "Nomad starts the task with the client's environment (less the client's env.denylist) under the job's env, not with an empty one. Set in env what the program must not inherit, or deny it in the client's configuration.")
	}
	if n.Written(mod, "env_file") {
		n.KeepPrivate()
	}
	lost("env_file", "Env files written into the job", envFilesWritten)
	n.SecretsCopied(mod, "job", "Whoever may read the job (nomad job inspect) reads it. Keep secrets in Nomad Variables, and give them to the task with a template block (env = true).",
		"command", "env", "dir", "user", "ready.http", "ready.tcp", "health.http", "health.tcp")
	if mod.StopTimeout > 30*time.Second {
		lost("stop_timeout", "Stop timeout capped", "The task's kill_timeout is %s, but a client waits no longer than its max_kill_timeout, 30s unless its configuration raises it: raise it on the clients.", durationText(mod.StopTimeout))
	}
	lost("on_exit", "on_exit not exported", "Nomad runs nothing after an exit: %s is not run. Run it when the program starts instead, or as a poststop task.", shown(mod, "on_exit", strings.Join(mod.OnExit, " "), "the command", n))
	for _, l := range []struct {
		field string
		v     *uint64
	}{{"core", mod.Limits.Core}, {"nofile", mod.Limits.NoFile}, {"nproc", mod.Limits.NProc}, {"memlock", mod.Limits.MemLock}} {
		if l.v != nil {
			lost("limits."+l.field, "Resource limit not exported", "The raw_exec and exec drivers set no rlimits: the task gets the client's %s limit, not %s. Raise the client's own (LimitNOFILE= and the like in its systemd unit), or set it in the program.", l.field, limitText(*l.v))
		}
	}
	logNotes(mod, n)
	restartNotes(mod, main, n)
	alarmNotes(mod, project, n)
	readyNotes(mod, main, n)
}

// logNotes notes the log settings Nomad's log rotation does not have.
func logNotes(mod manifest.Module, n *export.Notes) {
	l := mod.Log
	if l.MaxSize%mib != 0 && n.Written(mod, "log.max_size") {
		n.Lost(mod, "log.max_size", "Log size rounded up", fmt.Sprintf("Nomad rotates a log file at a whole number of MiB: the task's files rotate at %d MiB (%d bytes), not %d bytes.", mebibytes(l.MaxSize), int64(mebibytes(l.MaxSize))*mib, l.MaxSize))
	}
	if l.Timestamps && n.Written(mod, "log.timestamps") {
		n.Lost(mod, "log.timestamps", "Log timestamps not exported", "Nomad keeps the lines as they are written, without a time. Have the program write its own, or ship the logs with a collector that stamps them.")
	}
	if l.Format == manifest.LogJSON && n.Written(mod, "log.format") {
		n.Lost(mod, "log.format", "JSON log records not exported", "Nomad keeps the lines as they are written (nomad alloc logs shows them), not as svman's JSON records. Have a collector (Vector, Fluent Bit) read the allocation's logs to make records.")
	}
	if l.Parse == manifest.ParseJSON && n.Written(mod, "log.parse") {
		n.Lost(mod, "log.parse", "JSON log records not exported", "Nomad keeps the lines as they are written: no record nests a line's JSON object.")
	}
	if l.Mode != 0 && n.Written(mod, "log.mode") {
		n.Lost(mod, "log.mode", "Log file mode not exported", fmt.Sprintf("Nomad's log files are read through nomad alloc logs, under its ACL policies (read-logs), not by file mode %04o.", l.Mode))
	}
}

// restartNotes notes what the restart block cannot say of mod's restart
// and alarm policy (restartOf says what it does say).
func restartNotes(mod manifest.Module, main bool, n *export.Notes) {
	r, a := mod.Restart, mod.Alarm
	if main && r.Policy == manifest.RestartOnFailure && n.Written(mod, "restart.policy") {
		n.Lost(mod, "restart.policy", "A success is restarted too", fmt.Sprintf("A Nomad service job restarts a task after every exit, a success included, where on-failure leaves the module down after exit code %s. For a one-shot, make it a dependency of the module that needs it (depends_on = { NAME = \"completed\" }): it then runs as a prestart task of that module's group, which a success ends. Or run it in a batch job of its own.", codes(r.ExitCodes)))
	}
	if main && r.Policy == manifest.RestartNever && n.Written(mod, "restart.policy") {
		n.Lost(mod, "restart.policy", "A success fails the allocation", "With attempts = 0 Nomad does not restart the task, but in a service job a task that ends, even with a success, is failed, where svman leaves the module down. For a one-shot, make it a dependency of the module that needs it (depends_on = { NAME = \"completed\" }), or run it in a batch job of its own.")
	}
	if other := slices.DeleteFunc(slices.Clone(r.ExitCodes), func(c int) bool { return c == 0 }); len(other) > 0 && n.Written(mod, "restart.exit_codes") {
		n.Lost(mod, "restart.exit_codes", "Only exit code 0 is a success", fmt.Sprintf("Nomad counts exit code 0 alone as a success (what ends a prestart task without a restart); exit code %s is a failure to it.", codes(other)))
	}
	if n.Written(mod, "restart.max_delay") {
		if givesUp(a) {
			n.Lost(mod, "restart.max_delay", "No restart backoff", "Nomad waits the same delay (plus up to 25% jitter) before every restart: a crash loop does not back off to max_delay.")
		} else {
			n.Lost(mod, "restart.max_delay", "No restart backoff", "Nomad waits the same delay (plus up to 25% jitter) before every restart: a crash loop does not back off to max_delay, but after as many restarts as svman makes in a crash loop within max_delay, it waits for the rest of max_delay (the restart block's interval, in mode \"delay\").")
		}
	}
	if n.Written(mod, "restart.min_uptime") {
		n.Lost(mod, "restart.min_uptime", "No min_uptime", "Nomad waits delay before every restart, however long the run lasted, where svman restarts a run of min_uptime at once.")
	}
	if !givesUp(a) {
		return
	}
	p := restartOf(mod)
	if a.Interval < minRestartInterval && n.Written(mod, "alarm.interval") {
		n.Lost(mod, "alarm.interval", "Alarm window lengthened", fmt.Sprintf("Nomad's restart interval is at least %s: the task fails after more than %d exits within %s, not within %s.", durationText(minRestartInterval), a.MaxTries, durationText(minRestartInterval), durationText(a.Interval)))
	}
	if d := max(r.Delay, manifest.RestartFloor); time.Duration(p.Delay) < d {
		n.Lost(mod, "alarm.max_tries", "Restart delay shortened", fmt.Sprintf("Nomad cannot make %d restarts within %s with a delay of %s: the restart block waits %s.", a.MaxTries, durationText(time.Duration(p.Interval)), durationText(d), durationText(time.Duration(p.Delay))))
	}
}

// alarmNotes notes where the alarms would have gone, and the core dump
// limit: Nomad raises no alarm. project is the job's name.
func alarmNotes(mod manifest.Module, project string, n *export.Notes) {
	a := mod.Alarm
	watch := "Nomad raises no alarm: watch the job's events instead (nomad job status " + project + ", or the Allocation topic of the /v1/event/stream API), or alert on its tasks' restarts in Nomad's metrics."
	if len(a.Mail) > 0 && n.Written(mod, "alarm.mail") {
		n.Lost(mod, "alarm.mail", "Alarm mail not exported", fmt.Sprintf("No alarm is mailed to %s. %s", shown(mod, "alarm.mail", strings.Join(a.Mail, ", "), "its addresses", n), watch))
	}
	if a.Exec != nil && n.Written(mod, "alarm.exec") {
		n.Lost(mod, "alarm.exec", "Alarm command not exported", fmt.Sprintf("%s is not run for an alarm. %s", shown(mod, "alarm.exec", strings.Join(a.Exec, " "), "The command", n), watch))
	}
	if a.Webhook != "" && n.Written(mod, "alarm.webhook") {
		n.Lost(mod, "alarm.webhook", "Alarm webhook not exported", "No alarm is posted to the webhook. "+watch)
	}
	if a.MaxTriesIfCoredumped > 0 && a.Interval > 0 && n.Written(mod, "alarm.max_tries_if_coredumped") {
		does := "every exit counts towards the restart block's attempts"
		if !givesUp(a) {
			does = "the task never gives up"
		}
		n.Lost(mod, "alarm.max_tries_if_coredumped", "Core dumps not counted apart", fmt.Sprintf("Nomad does not tell a core dump from another exit: %s.", does))
	}
}

// readyNotes notes the ready and health settings Nomad's checks do not
// have.
func readyNotes(mod manifest.Module, main bool, n *export.Notes) {
	name := mod.Block()
	if r := mod.Ready; r != nil {
		_, checked := targetOf(r.Probe)
		switch {
		case r.Exec != nil:
			n.Lost(mod, "ready.exec", "Ready check not exported", fmt.Sprintf("Nomad's own checks are http and tcp; a script check needs Consul. Nomad takes %s as ready once it runs. With Consul, add to its service provider = \"consul\" and %s.", name, shown(mod, "ready.exec", fmt.Sprintf("check { type = \"script\", command = %q, args = %s }", r.Exec[0], quoted(r.Exec[1:])), "a check of type \"script\" running the ready command", n)))
		case r.Log != "":
			n.Lost(mod, "ready.log", "Ready check not exported", fmt.Sprintf("Nomad cannot watch %s's output for a line: it takes it as ready once it runs. Give it an http or tcp ready check if it listens.", name))
		case r.Notify:
			n.Lost(mod, "ready.notify", "sd_notify not exported", fmt.Sprintf("Nomad gives %s no NOTIFY_SOCKET: it takes it as ready once it runs, and no watchdog watches it. Give it an http or tcp ready check if it listens.", name))
		case r.NotificationFD != 0:
			n.Lost(mod, "ready.notification_fd", "Notification fd not exported", fmt.Sprintf("Nomad opens no descriptor %d for %s: it takes it as ready once it runs.", r.NotificationFD, name))
		}
		if checked && r.Interval < minCheck && n.Written(mod, "ready.interval") {
			n.Lost(mod, "ready.interval", "Check interval raised", fmt.Sprintf("Nomad checks at most once a second: %s's ready check runs every 1s, not every %s.", name, durationText(r.Interval)))
		}
		if checked && main && mod.Health == nil && r.OnTimeout == manifest.ReadyTimeoutRestart {
			path := "ready.on_timeout"
			if !n.Written(mod, path) {
				path = "ready.timeout"
			}
			if n.Written(mod, path) {
				n.Lost(mod, path, "Not restarted when not ready", fmt.Sprintf("Nomad restarts a task for its checks only through a check_restart, which the ready check cannot have (it would restart %s whenever the check fails later): %s is not restarted when it is not ready within %s. Give it a health block: its check restarts it once that time has passed.", name, name, durationText(r.Timeout)))
			}
		}
	}
	if h := mod.Health; h != nil {
		if h.Exec != nil {
			n.Lost(mod, "health.exec", "Health check not exported", fmt.Sprintf("Nomad's own checks are http and tcp; a script check needs Consul. Nothing restarts %s when it is unhealthy. With Consul, add to its service provider = \"consul\" and %s.", name, shown(mod, "health.exec", fmt.Sprintf("check { type = \"script\", command = %q, args = %s, check_restart { limit = %d } }", h.Exec[0], quoted(h.Exec[1:]), h.Failures), fmt.Sprintf("a check of type \"script\" running the health command, with check_restart { limit = %d }", h.Failures), n)))
		}
		if h.Exec == nil && h.Interval < minCheck && n.Written(mod, "health.interval") {
			n.Lost(mod, "health.interval", "Check interval raised", fmt.Sprintf("Nomad checks at most once a second: %s's health check runs every 1s, not every %s.", name, durationText(h.Interval)))
		}
		if h.Exec == nil && h.Timeout < minCheck && n.Written(mod, "health.timeout") {
			n.Lost(mod, "health.timeout", "Check timeout raised", fmt.Sprintf("Nomad gives a check at least a second: %s's health check may take 1s, not %s.", name, durationText(h.Timeout)))
		}
	}
	if r := mod.Ready; r != nil && r.Watchdog > 0 {
		n.Lost(mod, "ready.watchdog", "Watchdog not exported", fmt.Sprintf("Nomad has no sd_notify watchdog: %s is not restarted when it stops sending WATCHDOG=1.", name))
	}
	if !main && (checkable(mod.Ready) || mod.Health != nil && mod.Health.Exec == nil) {
		path := "health"
		if mod.Ready != nil {
			path = "ready"
		}
		n.Lost(mod, path, "Checks of a one-shot not exported", fmt.Sprintf("%s runs as a prestart task of the groups that wait for it to complete, and the job checks nothing of it.", name))
	}
}

// checkable reports whether r has a check Nomad runs.
func checkable(r *manifest.Ready) bool {
	if r == nil {
		return false
	}
	_, ok := targetOf(r.Probe)
	return ok
}

func codes(cs []int) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = strconv.Itoa(c)
	}
	return strings.Join(s, ", ")
}

// envFilesWritten is the note on env files, whose variables the job holds.
const envFilesWritten = "The job holds the variables of the env files as they are now, values included: a change to a file needs another export and nomad job run, and a secret in them is in the job in clear. Keep secrets in Nomad Variables, and give them to the task with a template block (env = true)."

// shown is text, a value of mod's field path, for a note to quote; or,
// when the value was read with file() or env() and may be a secret, words
// that name it instead: a note never shows what svman check would not.
func shown(mod manifest.Module, path, text, instead string, n *export.Notes) string {
	if n.Secret(mod, path) {
		return instead
	}
	return text
}

func quoted(args []string) string {
	s := make([]string, len(args))
	for i, a := range args {
		s[i] = strconv.Quote(a)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func limitText(v uint64) string {
	if v == manifest.Unlimited {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}

func credName(c *manifest.Credential) string {
	if c == nil {
		return ""
	}
	return c.Name
}

func valueOr(p *uint32) uint32 {
	if p == nil {
		return 0
	}
	return *p
}
