package engine

import (
	"cmp"
	"math/rand/v2"
	"time"

	"svman/internal/proc"
	"svman/manifest"
	"svman/statusfs"
)

// afterStop follows a stop that was asked for (d, a reload, a release): nothing is
// counted and no alarm is raised; the module starts again only if wanted.
func (s *supervisor) afterStop() {
	s.adoptNext()
	if s.exitWhenDown {
		s.finish()
		return
	}
	if s.want != statusfs.WantDown {
		s.start()
		return
	}
	s.goDown()
}

// afterExit follows a child that died on its own (exit nil: it could not be
// started): the policy decides, an alarm may go out, the on_exit hook runs, then
// the decision is carried out.
//
// A run started by `o` is judged as under restart policy never: it is not
// restarted, an exit the module's exit_codes call a success is expected and
// raises nothing, and every other end (a failure, a signal, a failed start) is
// counted and alarmed as usual.
func (s *supervisor) afterExit(exit *proc.ExitStatus) {
	m := *s.mod // a copy: the policy of a run once changes here, not in the manifest
	if s.want == statusfs.WantOnce {
		m.Restart.Policy = manifest.RestartNever
	}
	d := Decide(m, s.want, s.history, exit, s.started, time.Now(), rand.Float64())
	s.history = d.History
	event := "exited"
	switch {
	case s.chk.stopCause != "": // a check stopped the run: "unhealthy", "not_ready"
		event, s.chk.stopCause = s.chk.stopCause, ""
	case exit == nil:
		event = "start_failed"
	}
	if d.Alarm {
		s.raise(event, exit)
	}
	if exit != nil && len(s.mod.OnExit) > 0 && s.runHook(exit, event) {
		s.pending, s.state = &d, stHook
		return
	}
	s.follow(d)
}

// follow carries out a decision of the policy, unless something the operator or
// the engine asked for in the meantime (a replacement, a release, `x`) comes first.
func (s *supervisor) follow(d Decision) {
	s.state = stDown
	if s.next != nil || s.exitWhenDown {
		s.afterStop()
		return
	}
	now := time.Now()
	switch {
	case d.GiveUp:
		s.giveUp()
	case d.Restart && s.want == statusfs.WantUp && !d.At.After(now):
		s.restarts++
		s.record(Event{Kind: Restarting})
		s.start()
	case d.Restart && s.want == statusfs.WantUp:
		s.restarts++
		s.state, s.startAt = stBackoff, d.At
		s.record(Event{Kind: Restarting, Delay: d.At.Sub(now), Tries: d.History.Fails, Uptime: minUptime(s.mod.Restart)})
		s.oweState()
		s.arm(d.At)
	default:
		if s.want == statusfs.WantUp {
			s.want = statusfs.WantDown // the policy keeps it down: say so in status
			s.downBy = statusfs.DownByPolicy
			s.oweStatus()
		}
		s.goDown() // a run-once keeps want 0 once it has run, as the legacy tool does
	}
}

// giveUp stops trying after too many exits in one alarm window: the module is
// failed, wants down, and only `u` (or a changed block) starts it again.
func (s *supervisor) giveUp() {
	s.state = stFailed
	s.want, s.downBy = statusfs.WantDown, statusfs.DownByPolicy
	s.oweStatus()
	s.oweState()
	s.record(Event{Kind: GaveUp, Tries: s.history.Exits, Delay: s.mod.Alarm.Interval})
	s.raise("gave_up", nil)
}

// goDown settles in stDown and says so.
func (s *supervisor) goDown() {
	s.state = stDown
	s.oweState()
	s.record(Event{Kind: Stopped})
}

// finish ends supervision once the child is down, and records why in state.json.
func (s *supervisor) finish() {
	s.disarm()
	if s.release {
		s.want = statusfs.WantDown
		s.oweStatus()
	}
	if s.state != stFailed {
		s.state = stDown
	}
	s.downBy = cmp.Or(s.downBy, statusfs.DownByRelease)
	s.oweState()
	s.finished = true
}
