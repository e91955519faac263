package proc

// exitSink is where the exit of a child the reaper forked goes: its channel
// (Child.Exited), or, once OnExit gave one, a function the reaper calls.
type exitSink struct {
	ch chan ExitStatus
	fn func(ExitStatus) // nil until OnExit
}

// OnExit has exited called, once, with the exit of the child pid whose exit
// channel is c, in place of c receiving it: from the reaper's goroutine as it
// reaps the child, or from a goroutine of its own if the exit is in c already.
// The reaper hands the exit on with no goroutine in between, so a restart
// waits for one wake-up fewer; exited must therefore not block (other exits
// wait meanwhile) nor call OnExit. c must be the channel Spawn returned for
// pid: a child still waiting with another channel gets nothing, and once pid
// is reaped OnExit only looks in c. Nothing is called for an exit received
// from c already.
func (r *Reaper) OnExit(pid int, c <-chan ExitStatus, exited func(ExitStatus)) {
	r.mu.Lock()
	if sink, ok := r.waiting[pid]; ok && sink.ch == c {
		sink.fn = exited
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	// Not waiting: reaped already (or reaped before the fork registered it),
	// and then the exit is in c, sent under mu.
	select {
	case st := <-c:
		go exited(st)
	default:
	}
}
