package engine

import "time"

// wakeup is a timer a supervisor's loop waits on: C is nil while it is not
// set, so a select on it waits for nothing. The timer is made the first time
// it is set: most modules never need one.
type wakeup struct {
	t *time.Timer
	C <-chan time.Time
}

// set has C receive at at.
func (w *wakeup) set(at time.Time) {
	if w.t == nil {
		w.t = time.NewTimer(time.Until(at))
	} else {
		w.t.Reset(time.Until(at))
	}
	w.C = w.t.C
}

// clear takes back what set asked for.
func (w *wakeup) clear() {
	if w.t != nil {
		w.t.Stop()
	}
	w.C = nil
}
