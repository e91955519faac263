package main

import (
	"fmt"
	"time"

	"svman/engine"
	"svman/statusfs"
)

// stateText is what the STATE column of `svman status` says of r at now, and
// the "text" of --json: r.State in words, with why and until when.
func stateText(r moduleStatus, now time.Time) string {
	state := string(r.State)
	switch {
	case r.State == shownBackoff && !r.NextStart.IsZero():
		if d, err := time.ParseDuration(r.MinUptime); err == nil && r.CrashLoop > 0 {
			state += " (" + engine.CrashLoopText(r.CrashLoop, d) + ")"
		}
		state += ", next start in " + humanDuration(r.NextStart.Sub(now)+time.Second/2)
	case r.State == shownRestarting:
		state = "restarting now"
	case r.State == shownFailed:
		state += " (gave up; 'svman ctl " + r.Module + " up' starts it)"
	case r.State == shownReleased:
		state += " ('svman ctl " + r.Module + " up' takes it back)"
	case r.State == shownWaiting && r.Waiting != "":
		state += ": " + r.Waiting
	case r.State == shownUp && starting(r):
		state = "starting"
	case r.State == shownUp && r.Unhealthy > 0:
		state = "unhealthy (" + checksFailed(r.Unhealthy) + ")"
	case r.State == shownDown && completed(r):
		state = "completed"
	}
	if r.Error != "" {
		state += " (" + r.Error + ")"
	}
	return state
}

// starting reports whether r's child runs but state.json says it is not ready
// yet: its ready probe has not passed. Without state.json, or while it still
// says what the module was before its child started, readiness is unknown: the
// module is shown up, and is not ready.
func starting(r moduleStatus) bool {
	return r.PID != 0 && r.runState == statusfs.RunUp && !r.Ready
}

// completed reports whether r is a one-shot down after a run that succeeded,
// still supervised: what satisfies its `completed` dependents, whoever keeps
// it down since (its restart policy, or the operator).
func completed(r moduleStatus) bool {
	return r.Completed && r.State == shownDown && r.Reason != statusfs.DownByRelease.String()
}

// checksFailed is "1 check failed", "3 checks failed".
func checksFailed(n int) string {
	if n == 1 {
		return "1 check failed"
	}
	return fmt.Sprintf("%d checks failed", n)
}

// humanDuration is a compact age: 45s, 12m3s, 5h2m, 3d4h.
func humanDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh%dm", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%dd%dh", s/86400, s%86400/3600)
}
