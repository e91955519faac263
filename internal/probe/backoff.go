package probe

import (
	"time"

	"svman/manifest"
)

// Backoff is how long a ready probe waits after its failed attempt number
// attempt (0 being the first, run as soon as the module has started) before the
// next: manifest.ProbeFirst after the first, doubling with each attempt, capped
// at interval. An interval shorter than ProbeFirst is every wait. A negative
// attempt counts as 0.
func Backoff(attempt int, interval time.Duration) time.Duration {
	if interval <= manifest.ProbeFirst {
		return interval
	}
	d := manifest.ProbeFirst
	for range max(attempt, 0) {
		if d >= interval/2 {
			return interval
		}
		d *= 2
	}
	return d
}
