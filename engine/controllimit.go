package engine

import (
	"fmt"
	"time"
)

// What anyone who can write a module's control FIFO can make svman log is
// bounded: the lines a control byte writes by itself (the command received, the
// unknown bytes of a read, the signal a command sent, a pause, a continue, a
// reload asked for, a command's failure) share one rate limit per module, a
// burst of controlLinesBurst and then one line per controlLinesEvery. What the
// limit holds back is neither logged nor shown, but still reaches the engine's
// hook (Event.Quiet): a held-back `r` still reloads. How many were held back is
// said by the next line that gets through, or by a warning of its own once the
// limit allows one. Lines about the module's life (starts, stops, exits) are
// never held back: each needs a process to start or end.
const (
	controlLinesBurst = 20
	controlLinesEvery = time.Second
)

// lineLimit is a token bucket: it holds up to controlLinesBurst tokens, gains one
// per controlLinesEvery, and each line let through takes one. The zero value is
// full. It is a value the caller owns and gives the time to.
type lineLimit struct {
	used       int       // tokens taken and not yet regained
	since      time.Time // when the next token regained started to count
	suppressed int       // lines held back since the last one let through
}

// take reports whether a line may go out at now, and takes a token if so.
func (l *lineLimit) take(now time.Time) bool {
	l.regain(now)
	if l.used >= controlLinesBurst {
		return false
	}
	if l.used == 0 {
		l.since = now
	}
	l.used++
	return true
}

// regain gives back the tokens earned since l.since.
func (l *lineLimit) regain(now time.Time) {
	if l.used == 0 {
		return
	}
	n := int(now.Sub(l.since) / controlLinesEvery)
	if n <= 0 {
		return
	}
	if n >= l.used {
		l.used = 0
		return
	}
	l.used -= n
	l.since = l.since.Add(time.Duration(n) * controlLinesEvery)
}

// next is when a token will be there again: now if one is.
func (l *lineLimit) next(now time.Time) time.Time {
	l.regain(now)
	if l.used < controlLinesBurst {
		return now
	}
	return l.since.Add(controlLinesEvery)
}

// controlLimit is the supervisor's lineLimit and the timer that reports what it
// held back once no line came to say it.
type controlLimit struct {
	lineLimit
	wake wakeup // set while a report is due
}

// recordControl records ev, a line a control byte caused, within the module's
// limit on such lines.
func (s *supervisor) recordControl(ev Event) {
	now := time.Now()
	if s.ctlLimit == nil { // most modules never get a control byte
		s.ctlLimit = new(controlLimit)
	}
	l := s.ctlLimit
	if l.take(now) {
		ev.Suppressed, l.suppressed = l.suppressed, 0
		s.record(ev)
		return
	}
	l.suppressed++
	ev.Quiet = true
	s.record(ev)
	if !l.wake.armed() {
		l.wake.set(l.next(now), s, newsControlLimit)
	}
}

// reportSuppressed says how many lines the limit held back, if no line that got
// through has said it since.
func (s *supervisor) reportSuppressed() {
	l := s.ctlLimit
	if l == nil || l.suppressed == 0 {
		return
	}
	now := time.Now()
	if !l.take(now) {
		l.wake.set(l.next(now), s, newsControlLimit)
		return
	}
	n := l.suppressed
	l.suppressed = 0
	s.record(Event{Kind: Warning, Err: fmt.Errorf("%d lines about control bytes suppressed (%d at once, then one a second, are logged)", n, controlLinesBurst)})
}
