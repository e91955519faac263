package engine

import (
	"fmt"
	"reflect"
	"time"

	"svman/alarm"
	"svman/internal/probe"
	"svman/manifest"
)

// Health checks run once the module is ready (afterReady), on a grid that
// lets many share a wake-up; failures in a row restart it. A reload changes
// the checks of a running module in place.

// healthFailed counts a failed health check (or a missed watchdog); the
// failures-th in a row restarts the module.
func (s *supervisor) healthFailed(err error) {
	k := &s.chk
	k.unhealthy++ // still healthy to its dependents until failures in a row restart it
	s.oweState()
	failures := 1
	if h := s.mod.Health; h != nil {
		failures = h.Failures
	}
	if k.unhealthy < failures {
		s.record(Event{Kind: Warning, Err: fmt.Errorf("health check failed (%d of %d): %w", k.unhealthy, failures, err)})
		return
	}
	s.record(Event{Kind: Unhealthy, Tries: k.unhealthy, Err: err})
	k.stopCause = alarm.Unhealthy
	s.stop()
}

// nextHealthCheck is when the health check after the one due at last runs,
// now: interval after last, on the nearest tick of a grid of interval/10
// (from 10 ms to 1 s) on the clock, or the next tick after now if a slow check
// ran past that. The checks keep their rate however long each takes, and
// every module's check falls on the same few instants, so the runtime wakes
// svman once for many: 1000 modules checked every 10 s wake it about once a
// second, not 100 times.
func nextHealthCheck(last, now time.Time, interval time.Duration) time.Time {
	grain := min(max(interval/10, 10*time.Millisecond), time.Second)
	next := last.Add(interval).Round(grain)
	if next.Before(now) {
		next = now.Truncate(grain).Add(grain)
	}
	return next
}

// checksChanged applies, in place, a reload that changed the running module's
// ready or health block: the attempt in flight is dropped and the new checks
// go on from now, a ready probe at once, a health check at once.
func (s *supervisor) checksChanged(old *manifest.Module) {
	if s.state != stUp || (reflect.DeepEqual(old.Ready, s.mod.Ready) && reflect.DeepEqual(old.Health, s.mod.Health)) {
		return
	}
	k := &s.chk
	if k.cancel != nil {
		k.cancel()
		k.cancel = nil
	}
	k.gen++
	k.probeAt = time.Time{}
	r := s.mod.Ready
	switch {
	case !k.ready && r == nil:
		s.becomeReady("its ready block was removed")
		return
	case !k.ready:
		k.readyBy = s.started.Add(r.Timeout)
		s.awaitReadyLog(s.starts)
		if r.Probe.Set() && r.Log == "" {
			s.launchCheck(r.Probe, probe.ReadyAttemptTimeout(r.Interval), true)
		}
	case reflect.DeepEqual(old.Health, s.mod.Health):
		// Only the ready block changed, and the module is ready: its health
		// checks go on as they were.
		if h := s.mod.Health; h != nil {
			k.probeAt = nextHealthCheck(k.healthDue, time.Now(), h.Interval)
		}
	case s.mod.Health != nil:
		k.unhealthy = 0
		s.launchCheck(s.mod.Health.Probe, s.mod.Health.Timeout, false)
	default:
		k.healthy, k.unhealthy = false, 0
		s.oweState()
	}
	s.armChecks()
}
