package engine

import (
	"time"

	"svman/manifest"
	"svman/statusfs"
)

// minFailedStartDelay is the least wait before retrying a child that could not be
// started at all (a missing program or directory): even with restart delay 0 such a
// module must not spin.
const minFailedStartDelay = time.Second

// nextStart decides, as a pure function, whether a module whose child just ended
// (exit nil: it could not even be started) is started again, and when. A module
// starts at most once per restart delay, measured from its previous start, so a
// crash loop costs nothing while a child that ran for a while comes back at once.
func nextStart(r manifest.Restart, want statusfs.Want, exit *ExitStatus, lastStart, now time.Time) (restart bool, at time.Time) {
	if want != statusfs.WantUp {
		return false, time.Time{}
	}
	switch r.Policy {
	case manifest.RestartNever:
		return false, time.Time{}
	case manifest.RestartOnFailure:
		if exit != nil && exit.Success() {
			return false, time.Time{}
		}
	}
	delay := r.Delay
	if exit == nil && delay < minFailedStartDelay {
		delay = minFailedStartDelay
	}
	at = lastStart.Add(delay)
	if at.Before(now) {
		at = now
	}
	return true, at
}
