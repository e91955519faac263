package engine

// news is what other goroutines tell a supervisor's loop that carries no value
// of its own, or whose values wait elsewhere (warnings in their queue): one bit
// each, gathered in the supervisor's news until the loop takes them, and one
// wake-up token in poke. One channel for all of them keeps the loop's select,
// and the stack of the goroutine that waits in it, small (run).
type news uint32

const (
	newsControl    news = 1 << iota // the control FIFO is readable
	newsRepair                      // something of the status directory was deleted
	newsWarning                     // warnings wait in the queue (warn)
	newsLogMatched                  // a line matched the ready log probe (matchReadyLog)
)

// tell has the loop learn n. It never waits, and may be called from any
// goroutine; news told again before the loop took it is told once.
func (s *supervisor) tell(n news) {
	s.news.Or(uint32(n))
	select {
	case s.poke <- struct{}{}:
	default: // the loop was woken already, and has not taken the news yet
	}
}

// serveNews handles the news told since the loop last took it, each kind as
// a step of its own, and each warning too, as their events always were.
func (s *supervisor) serveNews() {
	n := news(s.news.Swap(0))
	if n&newsControl != 0 && !s.finished {
		s.serve(&event{kind: evControl})
	}
	if n&newsRepair != 0 && !s.finished {
		s.serve(&event{kind: evRepair})
	}
	if n&newsLogMatched != 0 && !s.finished {
		s.serve(&event{kind: evLogMatched, run: s.chk.logMatched.Load()})
	}
	for n&newsWarning != 0 && !s.finished {
		select {
		case err := <-s.warnings:
			s.serve(&event{kind: evWarning, err: err})
		default: // the rest, if the loop is over, is recordWarnings'
			return
		}
	}
}
