package probe

import (
	"time"

	"svman/manifest"
)

// Backoff is how long ready probe p waits after its failed attempt number
// attempt (0 being the first, run as soon as the module has started) before the
// next, capped at interval (an interval shorter than the first wait is every
// wait; a negative attempt counts as 0).
//
// A connection (tcp, http) costs svman a socket and the module an accept:
// its waits begin at manifest.ProbeFirstConnect and grow by a quarter each
// time, so a service that listens a few milliseconds after its start is seen
// ready within a millisecond of it, and one that takes a second has been
// tried about 31 times. An exec probe forks a process: its waits begin at
// manifest.ProbeFirst and double.
func Backoff(p manifest.Probe, attempt int, interval time.Duration) time.Duration {
	first, grow := manifest.ProbeFirst, 2.0
	if p.Exec == nil {
		first, grow = manifest.ProbeFirstConnect, 1.25
	}
	if interval <= first {
		return interval
	}
	d := float64(first)
	for range max(attempt, 0) {
		if d*grow >= float64(interval) {
			return interval
		}
		d *= grow
	}
	return time.Duration(d).Round(time.Microsecond)
}

// readyAttemptLeast is the least time one attempt of a ready probe may take,
// whatever its interval: a probe of a loaded machine must not time out only
// because its interval is short.
const readyAttemptLeast = time.Second

// ReadyAttemptTimeout is how long one attempt of a ready probe whose interval
// is interval may take: the interval, and at least a second. svman up's
// attempts and svman probe's have this bound.
func ReadyAttemptTimeout(interval time.Duration) time.Duration {
	return max(interval, readyAttemptLeast)
}
