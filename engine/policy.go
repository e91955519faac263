package engine

import (
	"slices"
	"time"

	"svman/internal/proc"
	"svman/manifest"
	"svman/statusfs"
)

// History is what the restart and alarm policy remember of a module's past runs.
type History struct {
	// Fails counts the consecutive runs shorter than min_uptime (a crash loop),
	// failed starts included: the backoff exponent. A run that lasted resets it to 0.
	Fails       int
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
// The rules, which follow the legacy supervise (and daemontools, runit) with its
// quirks made explicit:
//   - a run that lasted min_uptime (default 1s) or longer is followed by a start
//     now, every time, however often it happens, and ends any crash loop;
//   - a run shorter than that, or a start that failed, is a crash; consecutive
//     crashes are a crash loop, which backs off: the next start comes delay,
//     then 2×delay, 4×delay, ... (±10% from the second on), up to max_delay, after
//     the previous start;
//   - delay, max_delay and min_uptime never count for less than
//     manifest.RestartFloor, so two starts are always at least that far apart and a
//     crash loop never spins, whatever the manifest says;
//   - an exit the policy expects (a success under on-failure or never) is not
//     counted and raises nothing; every other exit is counted in the alarm window,
//     which opens at the first exit after a quiet period and lasts interval;
//   - only the first exit of a window raises an alarm;
//   - more exits than max_tries in one window, or more core dumps than
//     max_tries_if_coredumped, give up; interval 0 switches alarms and limits off.
//     These limits, not a delay, are what stop a module that keeps dying after
//     running a while.
func Decide(m manifest.Module, want statusfs.Want, h History, exit *proc.ExitStatus, lastStart, now time.Time, jitter float64) Decision {
	r := m.Restart
	crashed := crashedRun(r, exit, lastStart, now)
	if crashed {
		h.Fails++
	} else {
		h.Fails = 0
	}
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
	d.Restart, d.At = true, now
	if crashed {
		from := lastStart
		if from.IsZero() { // no start to count from: count from now, never spin
			from = now
		}
		if at := from.Add(backoffDelay(r, h.Fails, jitter)); at.After(now) {
			d.At = at
		}
	}
	return d
}

// crashedRun reports whether a run that started at lastStart and ended now with
// exit (nil: the start failed) was a crash: shorter than min_uptime (never less
// than manifest.RestartFloor).
func crashedRun(r manifest.Restart, exit *proc.ExitStatus, lastStart, now time.Time) bool {
	return exit == nil || lastStart.IsZero() || now.Sub(lastStart) < minUptime(r)
}

// minUptime is the least run that is not a crash: min_uptime, raised to
// manifest.RestartFloor.
func minUptime(r manifest.Restart) time.Duration {
	return max(r.MinUptime, manifest.RestartFloor)
}

// backoffDelay is the least time from a start to the next one after fails
// consecutive crashes (fails >= 1): delay, then 2×delay, 4×delay, ... capped at
// max_delay, the doubled ones spread by jitter (±10%). delay and max_delay count
// for at least manifest.RestartFloor, so the result is never below it.
func backoffDelay(r manifest.Restart, fails int, jitter float64) time.Duration {
	d := max(r.Delay, manifest.RestartFloor)
	limit := max(r.MaxDelay, d)
	for i := 1; i < fails && d < limit; i++ {
		d *= 2
	}
	if fails > 1 {
		d += time.Duration(float64(d) * 0.1 * (2*jitter - 1))
	}
	return min(max(d, manifest.RestartFloor), limit)
}
