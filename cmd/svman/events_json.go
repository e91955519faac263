package main

import (
	"time"

	"svman/engine"
	"svman/logmux"
	"svman/manifest"
)

// eventNames are the names of the engine's events in `svman up --json`.
var eventNames = map[engine.Kind]string{
	engine.Started: "started", engine.StartFailed: "start_failed", engine.Exited: "exited",
	engine.Restarting: "restarting", engine.Stopping: "stopping", engine.Escalated: "escalated",
	engine.Stopped: "stopped", engine.Signaled: "signaled", engine.Paused: "paused",
	engine.Continued: "continued", engine.Command: "command", engine.BadCommand: "bad_command",
	engine.Reload: "reload_requested", engine.Released: "released", engine.Warning: "warning",
	engine.GaveUp: "gave_up", engine.Alarm: "alarm", engine.AlarmSilenced: "alarm_silenced",
	engine.Reclaimed: "reclaimed", engine.Killed: "killed", engine.Waiting: "waiting",
	engine.Ready: "ready", engine.NotReady: "not_ready", engine.Unhealthy: "unhealthy",
	engine.Notified: "notified",
}

// showEvent prints an engine event on the console: its line, or on a JSON
// console an object with its name and fields (eventFields).
func showEvent(console *logmux.Console, ev engine.Event) {
	name, ok := eventNames[ev.Kind]
	if !ok {
		name = "event"
	}
	console.Event(ev.Module, name, ev.String(), eventFields(ev)...)
}

// eventFields are the facts of an event, by the name `svman up --json` gives
// them: pid, code and signal (exited), durations in seconds, error, text, ...
func eventFields(ev engine.Event) []logmux.Field {
	var f []logmux.Field
	add := func(k string, v any) { f = append(f, logmux.Field{Key: k, Value: v}) }
	if ev.PID > 0 {
		add("pid", ev.PID)
	}
	switch ev.Kind {
	case engine.Exited:
		if ev.Exit.Signal != 0 {
			add("code", nil)
			add("signal", manifest.SignalName(ev.Exit.Signal))
		} else {
			add("code", ev.Exit.Code)
			add("signal", nil)
		}
		add("coredumped", ev.Exit.CoreDumped)
		add("uptime_s", seconds(ev.Uptime))
		add("stopping", ev.Stopping)
	case engine.Restarting:
		add("delay_s", seconds(ev.Delay))
		if ev.Tries > 0 {
			add("crash_loop_runs", ev.Tries)
		}
	case engine.Stopping, engine.Signaled:
		add("signal", manifest.SignalName(ev.Signal))
	case engine.Command:
		add("command", string(ev.Command))
	case engine.BadCommand:
		add("unknown", string(ev.Unknown))
		add("count", ev.UnknownCount)
	case engine.GaveUp:
		add("exits", ev.Tries)
		add("window_s", seconds(ev.Delay))
	case engine.Alarm:
		add("text", ev.Text)
		add("channels", append([]string{}, ev.Channels...))
	case engine.Ready:
		add("uptime_s", seconds(ev.Uptime))
		add("how", ev.Text)
	case engine.NotReady:
		add("timeout_s", seconds(ev.Delay))
	case engine.Unhealthy:
		add("failed_checks", ev.Tries)
	case engine.AlarmSilenced, engine.Waiting, engine.Notified:
		add("text", ev.Text)
	}
	if ev.Err != nil {
		add("error", ev.Err.Error())
	}
	if ev.Suppressed > 0 {
		add("suppressed", ev.Suppressed)
	}
	return f
}

// seconds is d in seconds, for JSON.
func seconds(d time.Duration) float64 { return d.Seconds() }

// planFields are the facts of a reload's plan, for its event: the modules
// added, removed, restarted, updated in place and kept, those whose removal
// waits or was cancelled, and the settings that changed of each.
func planFields(p engine.Plan) []logmux.Field {
	list := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	changed := p.Changed
	if changed == nil {
		changed = map[string][]string{}
	}
	return []logmux.Field{
		{Key: "add", Value: list(p.Add)}, {Key: "remove", Value: list(p.Remove)},
		{Key: "restart", Value: list(p.Restart)}, {Key: "update", Value: list(p.Update)},
		{Key: "keep", Value: list(p.Keep)}, {Key: "pending", Value: list(p.Pending)},
		{Key: "cancelled", Value: list(p.Cancelled)}, {Key: "changed", Value: changed},
	}
}
