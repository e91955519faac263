package engine

import (
	"fmt"
	"regexp"
	"sync/atomic"
	"time"

	"svman/alarm"
	"svman/internal/probe"
	"svman/internal/proc"
	"svman/manifest"
)

// checks is what a supervisor knows of its child beyond "it runs": whether it
// is ready and healthy, and the checks that tell (checks.go, notify.go). Only
// the loop touches it, but for logRE, logRun and logMatched, which the pumps
// use.
type checks struct {
	ready     bool   // stUp: the child is ready
	healthy   bool   // a health check passed since the child became ready, and no restart for failed ones followed
	unhealthy int    // health checks failed in a row
	completed bool   // the last run exited with a success code
	status    string // the last STATUS= of the notify socket

	attempt int               // failed attempts of the ready probe since the start
	lastErr error             // the last failed attempt, for the not_ready alarm
	cancel  func()            // cancels the attempt in flight; nil when none
	gen     uint64            // numbers the attempts: the result of an older one is stale
	results chan *checkResult // the attempts' results (newsCheck), one at a time: a result waits for the one before to be taken; made at the first attempt

	timer      wakeup    // for the earliest of what follows (armChecks)
	probeAt    time.Time // the next attempt is due; zero when none is
	healthDue  time.Time // when the last health check launched was due: the next is due interval after
	readyBy    time.Time // the ready timeout; zero when none runs
	watchdogBy time.Time // the next WATCHDOG=1 is due; zero when none is

	// stopCause, during a stop, is the check that asked for it ("unhealthy",
	// "not_ready"): the end of the run then counts like an unexpected exit.
	stopCause string
	// blockedAlarm: the alarm that the module cannot start was raised since
	// its dependencies were last met.
	blockedAlarm bool

	fdReady    <-chan struct{}               // closed once the child's notification fd saw a newline (awaitNotified)
	fdStop     chan struct{}                 // closed to end awaitNotified's goroutine
	logRE      atomic.Pointer[regexp.Regexp] // the ready log probe while it waits for a line
	logRun     atomic.Uint64                 // the run (starts) whose output logRE waits in
	logMatched atomic.Uint64                 // from the pumps: the run a line of which matched logRE (newsLogMatched)
}

// checkResult is the result of attempt gen, of the ready probe or of the
// health check.
type checkResult struct {
	gen   uint64
	ready bool
	err   error
}

// beginChecks follows a start: the module is ready at once if it has no ready
// block, else its ready checks begin, the probe's first attempt at once.
func (s *supervisor) beginChecks(c proc.Child) {
	s.starts++
	k := &s.chk
	k.completed, k.healthy, k.unhealthy, k.status = false, false, 0, ""
	k.attempt, k.lastErr, k.stopCause = 0, nil, ""
	r := s.mod.Ready
	if r == nil {
		k.ready = true
		s.afterReady()
		return
	}
	k.ready = false
	k.readyBy = s.started.Add(r.Timeout)
	s.awaitNotified(c.Notified)
	if r.Probe.Set() && r.Log == "" {
		s.launchCheck(r.Probe, probe.ReadyAttemptTimeout(r.Interval), true)
	}
	s.armChecks()
}

// endChecks stops every check of a child that is gone or being stopped.
func (s *supervisor) endChecks() {
	k := &s.chk
	if k.cancel != nil {
		k.cancel()
		k.cancel = nil
	}
	k.gen++
	k.ready, k.healthy = false, false
	k.probeAt, k.readyBy, k.watchdogBy = time.Time{}, time.Time{}, time.Time{}
	s.stopAwaitNotified()
	k.logRE.Store(nil)
	k.logRun.Store(0)
	k.timer.clear()
}

// awaitReadyLog has the pumps look for the ready log probe's line in the
// output of run, if the module has one; a run's child may print it at once,
// so this comes before its fork.
func (s *supervisor) awaitReadyLog(run uint64) {
	k := &s.chk
	k.logRE.Store(nil)
	k.logRun.Store(0)
	r := s.mod.Ready
	if r == nil || r.Log == "" {
		return
	}
	if re, err := regexp.Compile(r.Log); err == nil { // checked at load
		k.logRun.Store(run)
		k.logRE.Store(re)
	}
}

// launchCheck starts an attempt of probe p, at most timeout long: of the
// ready probe (ready) or of the health check.
func (s *supervisor) launchCheck(p manifest.Probe, timeout time.Duration, ready bool) {
	k := &s.chk
	k.gen++
	if !ready {
		k.healthDue = k.probeAt // zero when launched at once
		if k.healthDue.IsZero() {
			k.healthDue = time.Now()
		}
	}
	k.probeAt = time.Time{}
	if k.results == nil { // most modules have no probe
		k.results = make(chan *checkResult, 1)
	}
	gen, results, deaf := k.gen, k.results, s.deaf
	m := s.mod
	spec := proc.Spec{Dir: m.Dir, Argv: p.Exec, User: m.User, Group: m.Group}
	if p.Exec != nil {
		spec.Env = s.env(nil) // only a process needs one: a connection is made by svman
	}
	k.cancel = s.fx.Probe(p, spec, timeout, func(err error) {
		select {
		case results <- &checkResult{gen, ready, err}:
			s.tell(newsCheck)
		case <-deaf:
		}
	})
}

// checkDone takes the result of an attempt.
func (s *supervisor) checkDone(r checkResult) {
	k := &s.chk
	if r.gen != k.gen || s.state != stUp || r.ready == k.ready {
		return // stale: a newer attempt, the child is gone, or it became ready (or not) since
	}
	k.cancel = nil
	now := time.Now()
	if r.ready {
		if r.err == nil {
			s.becomeReady(probe.Passed(s.mod.Ready.Probe))
			return
		}
		k.lastErr = r.err
		k.attempt++
		k.probeAt = now.Add(probe.Backoff(s.mod.Ready.Probe, k.attempt-1, s.mod.Ready.Interval))
		s.armChecks()
		return
	}
	h := s.mod.Health
	if h == nil {
		return
	}
	if r.err == nil {
		k.healthy = true
		if k.unhealthy > 0 {
			k.unhealthy = 0
			s.oweState()
		}
	} else {
		s.healthFailed(r.err)
		if s.state != stUp {
			return
		}
	}
	k.probeAt = nextHealthCheck(k.healthDue, now, h.Interval)
	s.armChecks()
}

// becomeReady marks the child ready, as how says, and starts its health checks.
func (s *supervisor) becomeReady(how string) {
	k := &s.chk
	if k.ready || s.state != stUp {
		return
	}
	if k.cancel != nil {
		k.cancel()
		k.cancel = nil
	}
	k.gen++
	k.ready, k.readyBy, k.probeAt = true, time.Time{}, time.Time{}
	s.stopAwaitNotified()
	k.logRE.Store(nil)
	k.logRun.Store(0)
	s.oweState()
	s.record(Event{Kind: Ready, Text: how, Uptime: time.Since(s.started)})
	s.afterReady()
}

// afterReady begins what runs once the child is ready: its health checks,
// the first at once, and its watchdog.
func (s *supervisor) afterReady() {
	k := &s.chk
	if r := s.mod.Ready; r != nil && r.Watchdog > 0 {
		k.watchdogBy = time.Now().Add(r.Watchdog)
	}
	if h := s.mod.Health; h != nil {
		s.launchCheck(h.Probe, h.Timeout, false)
	}
	s.armChecks()
}

// armChecks arms the checks' timer for the earliest of what is due.
func (s *supervisor) armChecks() {
	k := &s.chk
	var at time.Time
	for _, t := range [...]time.Time{k.probeAt, k.readyBy, k.watchdogBy} {
		if !t.IsZero() && (at.IsZero() || t.Before(at)) {
			at = t
		}
	}
	if at.IsZero() {
		k.timer.clear()
		return
	}
	k.timer.set(at, s, newsChecksDue)
}

// checksDue acts on what is due of the checks: the ready timeout, a missed
// watchdog, the next attempt.
func (s *supervisor) checksDue() {
	k := &s.chk
	if s.state != stUp {
		return
	}
	now := time.Now()
	if !k.readyBy.IsZero() && !now.Before(k.readyBy) {
		s.readyTimedOut()
		if s.state != stUp {
			return
		}
	}
	if !k.watchdogBy.IsZero() && !now.Before(k.watchdogBy) {
		k.watchdogBy = now.Add(s.mod.Ready.Watchdog)
		s.healthFailed(fmt.Errorf("no WATCHDOG=1 within %s", s.mod.Ready.Watchdog))
		if s.state != stUp {
			return
		}
	}
	if !k.probeAt.IsZero() && !now.Before(k.probeAt) && k.cancel == nil {
		if !k.ready {
			s.launchCheck(s.mod.Ready.Probe, probe.ReadyAttemptTimeout(s.mod.Ready.Interval), true)
		} else if h := s.mod.Health; h != nil {
			s.launchCheck(h.Probe, h.Timeout, false)
		}
	}
	s.armChecks()
}

// readyTimedOut: the module was not ready within its ready timeout. The
// not_ready alarm goes out, and on_timeout says whether it is restarted or
// kept (its probe going on at its interval).
func (s *supervisor) readyTimedOut() {
	k := &s.chk
	r := s.mod.Ready
	k.readyBy = time.Time{}
	s.record(Event{Kind: NotReady, Delay: r.Timeout, Err: k.lastErr})
	if r.OnTimeout == manifest.ReadyTimeoutKeep {
		s.raise(alarm.NotReady, nil)
		return
	}
	k.stopCause = alarm.NotReady
	s.stop()
}
