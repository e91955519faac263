package engine

import (
	"slices"
	"time"

	"svman/manifest"
	"svman/statusfs"
)

// minFailedStartDelay is the least wait before retrying a child that could not be
// started at all (a missing program or directory): even with restart delay 0 such a
// module must not spin.
const minFailedStartDelay = time.Second

// History is what the restart and alarm policy remember of a module's past runs.
type History struct {
	Fails       int       // consecutive runs shorter than stable_after: the backoff exponent
	WindowStart time.Time // start of the current alarm window; zero while none is open
	Exits       int       // unexpected exits within the window
	Cores       int       // of which with a core dump
}

// Decision is what follows one end of a run.
type Decision struct {
	History History   // to remember for the next decision
	Restart bool      // start the module again...
	At      time.Time // ...at this time (never before now)
	Alarm   bool      // the first unexpected exit of an alarm window: raise an alarm
	GiveUp  bool      // more exits (or core dumps) in the window than allowed: stop trying
}

// Decide is the whole restart and alarm policy, as a pure function: given the
// module's settings, what the operator wants, the history, how the run ended (exit
// nil: it could not even be started), when it started and the time now, it says
// whether and when to start again and whether to raise an alarm or give up. jitter,
// in [0, 1), spreads backoff delays by up to ±10% so that modules failing together
// do not restart in lockstep.
//
// The rules, which follow the legacy supervise with its quirks made explicit:
//   - a run that lasted stable_after or longer resets the backoff; each shorter one
//     doubles the least time between two starts, from delay up to max_delay;
//   - an exit the policy expects (a success under on-failure or never) is not
//     counted and raises nothing; every other exit is counted in the alarm window,
//     which opens at the first exit after a quiet period and lasts interval;
//   - only the first exit of a window raises an alarm;
//   - more exits than max_tries in one window, or more core dumps than
//     max_tries_if_coredumped, give up; interval 0 switches alarms and limits off.
func Decide(m manifest.Module, want statusfs.Want, h History, exit *ExitStatus, lastStart, now time.Time, jitter float64) Decision {
	r := m.Restart
	if !lastStart.IsZero() && now.Sub(lastStart) >= r.StableAfter && exit != nil {
		h.Fails = 0
	}
	h.Fails++
	success := exit != nil && exit.Signal == 0 && slices.Contains(r.ExitCodes, exit.Code)
	expected := success && r.Policy != manifest.RestartAlways

	d := Decision{}
	if a := m.Alarm; a.Interval > 0 && !expected {
		if h.WindowStart.IsZero() || !now.Before(h.WindowStart.Add(a.Interval)) {
			h.WindowStart, h.Exits, h.Cores = now, 0, 0
			d.Alarm = true
		}
		h.Exits++
		if exit != nil && exit.CoreDumped {
			h.Cores++
		}
		d.GiveUp = (a.MaxTries > 0 && h.Exits > a.MaxTries) ||
			(a.MaxTriesIfCoredumped > 0 && h.Cores > a.MaxTriesIfCoredumped)
	}
	d.History = h

	switch {
	case d.GiveUp, want != statusfs.WantUp, r.Policy == manifest.RestartNever:
		return d
	case r.Policy == manifest.RestartOnFailure && success:
		return d
	}
	delay := backoffDelay(r, h.Fails, jitter)
	if exit == nil && delay < minFailedStartDelay {
		delay = minFailedStartDelay
	}
	d.Restart, d.At = true, lastStart.Add(delay)
	if d.At.Before(now) {
		d.At = now
	}
	return d
}

// backoffDelay is the least time between two starts after fails consecutive short
// runs: delay, then 2×delay, 4×delay, ... capped at max_delay, the doubled ones
// spread by jitter (±10%).
func backoffDelay(r manifest.Restart, fails int, jitter float64) time.Duration {
	d := r.Delay
	for i := 1; i < fails && d < r.MaxDelay; i++ {
		d *= 2
	}
	if fails > 1 {
		d += time.Duration(float64(d) * 0.1 * (2*jitter - 1))
	}
	if r.MaxDelay > 0 && d > r.MaxDelay {
		d = r.MaxDelay
	}
	return d
}
