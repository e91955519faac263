package engine

import "time"

// news is what other goroutines, and the supervisor's timers, tell its loop:
// one bit each, gathered in the supervisor's news until the loop takes them.
// Values that come with news wait in a queue of their own (messages in msgs,
// exits, warnings, check results, notifications), which the loop empties
// when told.
type news uint32

const (
	newsMsg          news = 1 << iota // messages wait in msgs (send)
	newsExited                        // exits wait in exits (watchExit)
	newsControl                       // the control FIFO is readable
	newsRepair                        // something of the status directory was deleted
	newsOrphan                        // an orphan was reaped (watchOrphans)
	newsTimer                         // the state machine's timer fired (arm)
	newsChecksDue                     // the checks' timer fired (armChecks)
	newsControlLimit                  // the control limit's timer fired (recordControl)
	newsRetry                         // the retry timer of failed files fired (fileRetry)
	newsCheck                         // check results wait in chk.results (launchCheck)
	newsNotify                        // datagrams of the notify socket wait in notifyC
	newsFDReady                       // a newline came on the notification fd (awaitNotified)
	newsLogMatched                    // a line matched the ready log probe (matchReadyLog)
	newsWarning                       // warnings wait in their queue (warn)
)

// tell has the loop learn n, and starts a goroutine for it unless one serves
// it already (serveAll). It never waits, and may be called from any goroutine;
// news told again before the loop took it is told once.
func (s *supervisor) tell(n news) {
	s.news.Or(uint32(n))
	if s.busy.CompareAndSwap(false, true) {
		go s.serveAll()
	}
}

// serveNews handles the news told since the loop last took it: each event as
// a step of its own, as when each had a channel of its own, until the loop is
// over (what is left then is moot, but for the warnings: recordWarnings).
func (s *supervisor) serveNews() {
	n := news(s.news.Swap(0))
	if n&newsMsg != 0 {
		drain(s, s.msgs, func(m *supMsg) *event { return &event{kind: evMsg, msg: m} })
	}
	if n&newsExited != 0 {
		s.serveExits()
	}
	s.serveIf(n&newsControl != 0, evControl)
	s.serveIf(n&newsRepair != 0, evRepair)
	s.serveIf(n&newsOrphan != 0 && s.orphanC != nil, evOrphan)
	now := time.Now()
	s.serveIf(n&newsTimer != 0 && s.timer.due(now), evTimer)
	s.serveIf(n&newsChecksDue != 0 && s.chk.timer.due(now), evChecksDue)
	s.serveIf(n&newsControlLimit != 0 && s.ctlLimit != nil && s.ctlLimit.wake.due(now), evControlLimit)
	s.serveIf(n&newsRetry != 0 && s.retry.due(now), evRetry)
	if n&newsCheck != 0 {
		drain(s, s.chk.results, func(r *checkResult) *event { return &event{kind: evCheck, check: r} })
	}
	if n&newsNotify != 0 {
		drain(s, s.notifyC, func(d *Notification) *event { return &event{kind: evNotify, notice: d} })
	}
	if n&newsFDReady != 0 && s.chk.fdReady != nil && isClosed(s.chk.fdReady) {
		s.stopAwaitNotified()
		s.serveIf(true, evFDReady)
	}
	if n&newsLogMatched != 0 && !s.finished {
		s.serve(&event{kind: evLogMatched, run: s.chk.logMatched.Load()})
	}
	if n&newsWarning != 0 {
		drain(s, s.warnings, func(err error) *event { return &event{kind: evWarning, err: err} })
	}
}

// serveIf serves an event of kind k if yes, unless the loop is over.
func (s *supervisor) serveIf(yes bool, k evKind) {
	if yes && !s.finished {
		s.serve(&event{kind: k})
	}
}

// drain serves what waits in queue now, each as the event ev makes of it,
// until the loop is over.
func drain[T any](s *supervisor, queue chan T, ev func(T) *event) {
	for !s.finished {
		select {
		case v := <-queue:
			s.serve(ev(v))
		default:
			return
		}
	}
}
