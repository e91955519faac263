package systemd

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"svman/manifest"
)

// cleanSignals are the signals whose death systemd counts as a success for
// every Type= but oneshot (systemd.service(5), SuccessExitStatus=); svman
// counts every death by a signal as a failure.
const cleanSignals = "SIGHUP SIGINT SIGPIPE SIGTERM"

// restart writes the restart policy (Restart=, RestartSec=) and which exits
// are successes (SuccessExitStatus=, RestartForceExitStatus=), and notes
// the backoff systemd 252 cannot express.
func (x *exporter) restart(u *unit, mod manifest.Module) {
	r := mod.Restart
	policy := map[manifest.RestartPolicy]string{
		manifest.RestartAlways: "always", manifest.RestartOnFailure: "on-failure", manifest.RestartNever: "no",
	}[r.Policy]
	u.service.set("Restart", policy)
	if r.Policy != manifest.RestartNever {
		// Nothing counts for less than svman's restart floor.
		u.service.set("RestartSec", timespan(max(r.Delay, manifest.RestartFloor)))
	}
	var success []string
	for _, c := range r.ExitCodes {
		if c != 0 {
			success = append(success, strconv.Itoa(c))
		}
	}
	if len(success) > 0 {
		u.service.set("SuccessExitStatus", strings.Join(success, " "))
	}
	withoutZero := !slices.Contains(r.ExitCodes, 0)
	// A one-shot counts a death by any signal as a failure already, and
	// systemd refuses RestartForceExitStatus= in one.
	forced := r.Policy == manifest.RestartOnFailure && !x.completed[mod.Name]
	if forced {
		force := cleanSignals
		if withoutZero {
			force = "0 " + force
		}
		u.service.set("RestartForceExitStatus", force)
	}
	if withoutZero && r.Policy != manifest.RestartAlways {
		detail := "systemd counts exit code 0 as a success whatever SuccessExitStatus= says: after it the unit ends as a success, raising no alarm, and a module that waits for this one to be completed starts."
		if forced {
			detail += " RestartForceExitStatus=0 still restarts it, as svman does."
		}
		x.notes.Lost(mod, "restart.exit_codes", "Exit code 0 is always a success to systemd", detail)
	}
	if r.Policy == manifest.RestartNever {
		return
	}
	for _, f := range []struct{ path, detail string }{
		{"restart.delay", "systemd 252 waits RestartSec= before every restart: a crash loop restarts at that pace for ever, where svman doubles the wait at each crash up to max_delay. Only the start limit (alarm max_tries) stops a module that keeps crashing."},
		{"restart.min_uptime", "systemd 252 waits RestartSec= after every exit, also after a run that lasted, which svman restarts at once; it cannot tell a crash loop from a run that lasted."},
		{"restart.max_delay", "systemd 252 has no backoff for max_delay to cap: it waits RestartSec= before every restart (RestartSteps= and RestartMaxDelaySec= came with systemd 254)."},
	} {
		if x.notes.Written(mod, f.path) {
			x.notes.Lost(mod, f.path, "Restart backoff not exported", f.detail)
		}
	}
}

// failure writes what follows the unit's failure: the start limit, which is
// alarm max_tries within interval, and OnFailure=, the alarm.
//
// svman counts the exits in a window that opens at the first exit; systemd
// counts the starts in a window that opens at a start. svman allows
// max_tries exits, each followed by a start, and gives up at the next; the
// run that ended in the first exit started the window's first start for
// systemd, so max_tries + 1 starts are allowed (StartLimitBurst=), and the
// next exit gives up as svman's would. The windows are the same length;
// systemd's opens earlier by the first run's time, so when that run is
// longer than interval systemd allows one more try.
func (x *exporter) failure(u *unit, mod manifest.Module) {
	a := mod.Alarm
	if a.Interval > 0 && (len(a.Mail) > 0 || a.Exec != nil || a.Webhook != "") {
		name := x.alarmUnit(mod.Name)
		if len(name) > maxUnitName {
			x.notes.Lost(mod, "alarm", "Module name too long for its alarm unit",
				"systemd refuses a unit name longer than 255 characters, and svman-PROJECT-alarm@NAME.service is longer: no alarm is raised. Give the module, or the project (--project), a shorter name.")
		} else {
			u.unitSec.set("OnFailure", name)
			x.alarms = true
		}
		x.notes.Lost(mod, "alarm", "Alarms only when the unit fails",
			"OnFailure= raises the alarm (svman alarm, with the channels of this block) when the unit fails: when it gives up after more than max_tries exits in a window (gave_up), or when an exit is a failure that Restart= does not restart. An exit that is restarted raises nothing, so svman's alarm at the first exit of each window (exited, start_failed, not_ready, unhealthy) is not sent. To hear of every exit, let svman supervise the module (svman export systemd --self).")
		if mod.Restart.Policy == manifest.RestartNever && !x.completed[mod.Name] {
			// Under on-failure, RestartForceExitStatus= restarts them as
			// failures (see restart); under always, every exit restarts.
			x.notes.Lost(mod, "restart.policy", "No alarm at a death by SIGHUP, SIGINT, SIGTERM or SIGPIPE",
				"Under Restart=no, systemd counts a death by SIGHUP, SIGINT, SIGTERM or SIGPIPE as a clean exit: the unit ends inactive, not failed, and OnFailure= raises no alarm, where svman raises exited; no key of systemd 252 makes them failures but Type=oneshot. Have the module exit with a code other than 0 at those signals, or let svman supervise it (svman export systemd --self).")
		}
	}
	if a.Interval > 0 && a.MaxTries > 0 {
		u.unitSec.set("StartLimitIntervalSec", timespan(a.Interval))
		u.unitSec.set("StartLimitBurst", strconv.Itoa(a.MaxTries+1))
		if mod.OnDependencyRestart == manifest.DepRestart && len(mod.DependsOn) > 0 {
			x.notes.Lost(mod, "on_dependency_restart", "The start limit counts restarts by BindsTo=",
				fmt.Sprintf("StartLimitBurst= counts every start of the unit within %s: the restarts BindsTo= makes when a dependency restarts, and the ones asked for by hand (systemctl restart), count as its own exits do, where svman's max_tries counts only the module's exits. Dependencies that restart often make systemd give up on this module (gave_up) where svman would not; raise max_tries to leave them room.", a.Interval))
		}
	} else {
		// Written always: systemd's default limit (5 starts in 10s) would give
		// up on a module that svman never gives up on.
		u.unitSec.set("StartLimitIntervalSec", "0")
	}
	if a.Interval > 0 && a.MaxTriesIfCoredumped > 0 {
		x.notes.Lost(mod, "alarm.max_tries_if_coredumped", "No limit of core dumps",
			"systemd counts starts, whatever ended the runs before them: it has no limit of core dumps. "+givesUp(a))
	}
}

// givesUp says when the unit gives up, for a note.
func givesUp(a manifest.Alarm) string {
	if a.MaxTries == 0 {
		return "The unit never gives up (max_tries is 0)."
	}
	return fmt.Sprintf("The unit gives up only after more than max_tries = %d exits within %s.", a.MaxTries, a.Interval)
}
