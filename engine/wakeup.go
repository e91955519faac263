package engine

import "time"

// wakeup is one of a supervisor's timers. When it fires, the loop is told
// (news), rather than woken by a channel of its own that a goroutine would wait
// on: an idle module has no goroutine (run). The timer is made the first time
// it is set: most modules never need one.
//
// Only the loop sets, clears and asks it, so a fire that a clear or a later set
// took back is recognised there (due), not in the timer's callback.
type wakeup struct {
	t  *time.Timer
	at time.Time // when it is due; zero while it is not set
}

// set has the loop told n at at, and forgets an earlier set.
func (w *wakeup) set(at time.Time, s *supervisor, n news) {
	w.at = at
	if w.t == nil {
		w.t = time.AfterFunc(time.Until(at), func() { s.tell(n) })
		return
	}
	w.t.Reset(time.Until(at))
}

// clear takes back what set asked for.
func (w *wakeup) clear() {
	if w.t != nil {
		w.t.Stop()
	}
	w.at = time.Time{}
}

// armed reports whether w is set and not yet due.
func (w *wakeup) armed() bool { return !w.at.IsZero() }

// due is called when the loop was told w's news: it reports whether w was set
// and its time has come, and then clears it. News that a clear took back is
// not due; news from a fire before the time set (a set since, for later, or a
// step of the wall clock) is not either, and the timer is set again for it.
func (w *wakeup) due(now time.Time) bool {
	if w.at.IsZero() {
		return false
	}
	if now.Before(w.at) {
		w.t.Reset(w.at.Sub(now))
		return false
	}
	w.at = time.Time{}
	return true
}
