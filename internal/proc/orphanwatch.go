package proc

// A module's main process may leave processes behind in its group, or detached
// from it, that svman has to see gone before the module counts as stopped. The
// kernel says when they go: svman is a child subreaper, so when the main process
// dies its children become svman's, and the reaper reaps them. A stopping
// supervisor therefore watches the reaper's exits of processes it did not fork
// and looks at its group again after each, instead of polling.

// WatchOrphanExits asks that c receive a value after every exit of a process the
// reaper did not fork, from the moment WatchOrphanExits returns until
// UnwatchOrphanExits(c). The send never blocks: c should have a buffer of one,
// and a value already waiting stands for any number of exits.
func (r *Reaper) WatchOrphanExits(c chan<- struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.watchers == nil {
		r.watchers = make(map[chan<- struct{}]struct{})
	}
	r.watchers[c] = struct{}{}
}

// UnwatchOrphanExits undoes WatchOrphanExits(c). A value may still be waiting in c.
func (r *Reaper) UnwatchOrphanExits(c chan<- struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.watchers, c)
}

// tellWatchers tells every watcher that an orphan was reaped. The caller holds
// r.mu, and has reaped the orphan already: a watcher that looks now no longer
// finds it.
func (r *Reaper) tellWatchers() {
	for c := range r.watchers {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}
