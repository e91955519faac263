package modview

import (
	"fmt"
	"time"

	"svman/engine"
	"svman/statusfs"
)

// text is what the STATE column of `svman status` says of r at now, and the
// "text" of --json: r.State in words, with why and until when.
func (r Status) text(now time.Time) string {
	state := string(r.State)
	switch {
	case r.State == Backoff && !r.NextStart.IsZero():
		if d, err := time.ParseDuration(r.MinUptime); err == nil && r.CrashLoop > 0 {
			state += " (" + engine.CrashLoopText(r.CrashLoop, d) + ")"
		}
		state += ", next start in " + HumanDuration(r.NextStart.Sub(now)+time.Second/2)
	case r.State == Restarting:
		state = "restarting now"
	case r.State == Failed:
		state += " (gave up; 'svman ctl " + r.Module + " up' starts it)"
	case r.State == Released:
		state += " ('svman ctl " + r.Module + " up' takes it back)"
	case r.State == Waiting && r.WaitingOn != "":
		state += ": " + r.WaitingOn
	case r.State == Up && r.Starting():
		state = "starting"
	case r.State == Up && r.Unhealthy > 0:
		state = "unhealthy (" + checksFailed(r.Unhealthy) + ")"
	case r.State == Down && r.CompletedRun():
		state = "completed"
	}
	if r.Error != "" {
		state += " (" + r.Error + ")"
	}
	return state
}

// Starting reports whether r's child runs but state.json says it is not ready
// yet: its ready probe has not passed. Without state.json, or while it still
// says what the module was before its child started, readiness is unknown: the
// module is shown up, and is not ready.
func (r Status) Starting() bool {
	return r.PID != 0 && r.runState == statusfs.RunUp && !r.Ready
}

// CompletedRun reports whether r is a one-shot down after a run that
// succeeded, still supervised: what satisfies its `completed` dependents,
// whoever keeps it down since (its restart policy, or the operator).
func (r Status) CompletedRun() bool {
	return r.Completed && r.State == Down && r.Reason != statusfs.DownByRelease.String()
}

// checksFailed is "1 check failed", "3 checks failed".
func checksFailed(n int) string {
	if n == 1 {
		return "1 check failed"
	}
	return fmt.Sprintf("%d checks failed", n)
}

// HumanDuration is a compact age: 45s, 12m3s, 5h2m, 3d4h.
func HumanDuration(d time.Duration) string {
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
