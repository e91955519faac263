package nomad

import (
	"time"

	"svman/manifest"
)

// Nomad's limits on a restart block (nomad/structs: RestartPolicy.Validate):
// an interval of at least 5s, attempts × delay within the interval, and
// mode "delay" only with attempts.
const minRestartInterval = 5 * time.Second

// Restart modes.
const (
	modeFail  = "fail"  // more than attempts restarts in an interval: the task fails
	modeDelay = "delay" // more than attempts: wait for the interval's end, then go on
)

// restartOf is the restart block of module m's task: the restart and alarm
// policy as Nomad can say it. The rules, each the nearest Nomad has to what
// svman does:
//   - a module that gives up (alarm interval and max_tries both set) gets
//     attempts = max_tries within interval = the alarm window, mode "fail":
//     the (max_tries+1)th exit in a window fails the task, as svman's gives
//     up. A window under 5s, Nomad's least, becomes 5s; a delay too long for
//     max_tries restarts in the window is shortened to fit;
//   - a module that never gives up gets mode "delay", with interval =
//     max_delay (at least 5s) and attempts = the starts svman's crash loop
//     makes within it (delay, 2×delay, 4×delay, ... : 5 with the defaults):
//     a crash loop is restarted as often at first, then waits out the
//     interval, where svman's backoff waits max_delay between starts;
//   - policy never: attempts = 0, mode "fail": the first exit ends the task;
//   - every restart waits delay (at least svman's one second floor), plus
//     Nomad's jitter of up to 25%: Nomad has no backoff, and no min_uptime
//     after which a restart comes at once.
//
// Core dumps are not counted apart: max_tries_if_coredumped alone gives up
// nothing (see restartNotes).
func restartOf(m manifest.Module) RestartPolicy {
	r, a := m.Restart, m.Alarm
	delay := max(r.Delay, manifest.RestartFloor)
	var p RestartPolicy
	if givesUp(a) {
		interval := max(a.Interval, minRestartInterval)
		if d := time.Duration(a.MaxTries) * delay; d > interval || d/delay != time.Duration(a.MaxTries) {
			delay = (interval / time.Duration(a.MaxTries)).Truncate(time.Millisecond)
		}
		p = RestartPolicy{Attempts: new(a.MaxTries), Interval: int64(interval), Delay: int64(delay), Mode: modeFail}
	} else {
		maxDelay := max(r.MaxDelay, delay)
		interval := max(maxDelay, minRestartInterval)
		p = RestartPolicy{Attempts: new(crashLoopStarts(delay, maxDelay, interval)), Interval: int64(interval), Delay: int64(delay), Mode: modeDelay}
	}
	if r.Policy == manifest.RestartNever {
		p.Attempts, p.Mode = new(0), modeFail
	}
	return p
}

// givesUp reports whether alarm policy a stops restarting a module that
// exits too often: a window and a limit of exits in it.
func givesUp(a manifest.Alarm) bool { return a.Interval > 0 && a.MaxTries > 0 }

// crashLoopStarts is how many starts svman's crash loop makes after the
// first one within window: the waits are delay, 2×delay, 4×delay, ...
// capped at maxDelay (jitter aside). At least 1 when delay <= window.
func crashLoopStarts(delay, maxDelay, window time.Duration) int {
	n, at, wait := 0, time.Duration(0), delay
	for at+wait <= window {
		at += wait
		n++
		wait = min(2*wait, maxDelay)
	}
	return max(n, 1)
}
