package engine

import (
	"fmt"
	"time"

	"svman/internal/proc"
	"svman/manifest"
	"svman/statusfs"
)

// A module the operator released with `x` is no longer supervised: its lock and
// ok are let go, so another supervisor may take its status directory. The engine
// keeps only its control FIFO open (statusfs.Released) and listens on it: a `u`
// or `o` written there (`svman ctl NAME up`) takes the module back, with the
// settings the running manifest gives it, and the other bytes are ignored (statusfs.TakesBack). A
// reload leaves a released module released unless its block changed; a changed
// or removed block ends the listening. Once another supervisor holds the
// directory, svman stops listening without reading a byte.

// listener is the engine's watch on the control FIFO of a released module.
type listener struct {
	rel   *statusfs.Released
	watch proc.Watch
	limit lineLimit // on the warnings about bytes that do not take it back
}

// letGo ends the supervisor's hold on its status directory. For a module the
// operator released with `x` (not removed, not shut down), it returns the
// control FIFO for the engine to listen on; otherwise the directory is closed
// and it returns nil.
func (s *supervisor) letGo() *statusfs.Released {
	if s.ended != nil && !s.release {
		rel, err := s.dir.Release()
		if err == nil {
			return rel
		}
		s.record(Event{Kind: Warning, Err: fmt.Errorf("cannot keep listening for u or o: %w", err)})
		return nil
	}
	if err := s.dir.Close(); err != nil {
		s.record(Event{Kind: Warning, Err: err})
	}
	return nil
}

// applyTakeBack applies, in the first step of a supervisor that takes a released
// module back, the control bytes that asked for it.
func (s *supervisor) applyTakeBack() {
	if s.initial == nil {
		return
	}
	s.record(Event{Kind: Reclaimed})
	s.applyControl(s.initial)
	s.initial = nil
}

// listen watches rel, the control FIFO of the released module name, if the
// module is still released (it may have been removed or changed meanwhile).
func (e *Engine) listen(name string, rel *statusfs.Released) {
	e.prune() // records the module as released if no Apply has yet
	if _, ok := e.released[name]; !ok || e.closing || e.listeners[name] != nil {
		rel.Close()
		return
	}
	fd, err := rel.ControlFD()
	l := &listener{rel: rel}
	if err == nil {
		l.watch, err = e.sys.WatchFD(fd, func() {
			// ready must not block, and Run may be busy: the request goes to Run on a
			// goroutine of its own, which ends when Run takes it or stops (e.do). The
			// watch is one-shot until reclaim rearms it, so there is at most one.
			go func() { _ = e.do(func() { e.reclaim(name, l) }) }()
		})
	}
	if err != nil {
		rel.Close()
		e.emit(Event{Module: name, Kind: Warning, Err: fmt.Errorf("released, and cannot listen for u or o: %w", err)})
		return
	}
	if e.listeners == nil {
		e.listeners = make(map[string]*listener)
	}
	e.listeners[name] = l
}

// reclaim reads what was written to a released module's control FIFO, and
// takes the module back if it asks for it (takesBack).
func (e *Engine) reclaim(name string, l *listener) {
	if e.listeners[name] != l {
		return // closed since, or another listener's now
	}
	// A released module's block is unchanged since its release (skipReleased
	// forgets it otherwise): it comes back with the settings it was released with.
	mod, released := e.released[name]
	if !released {
		e.stopListening(name)
		return
	}
	buf := make([]byte, controlReadSize)
	dir, n, err := l.rel.Reclaim(buf, statusfs.TakesBack)
	switch {
	case err != nil:
		e.stopListening(name)
		e.emit(Event{Module: name, Kind: Warning, Err: fmt.Errorf("released, and no longer listening for u or o: %w", err)})
		return
	case dir == nil:
		if n > 0 {
			e.emit(l.ignored(name, buf[:n], time.Now()))
		}
		_ = l.watch.Rearm()
		return
	}
	l.watch.Remove() // before the supervisor registers the same descriptor
	delete(e.listeners, name)
	delete(e.released, name)
	if _, ok := e.desired(name); !ok {
		e.inForce = append(e.inForce, mod) // a reload since the release left it out
		e.deps = expandDeps(e.inForce, e.current.Instances)
		e.graph = len(e.deps) > 0
	}
	s := e.newSupervisor(new(mod), dir)
	s.initial = append([]byte{}, buf[:n]...)
	e.addSup(name, s)
	go s.run()
}

// ignored is the warning that bytes written to the control FIFO of the released
// module name did not take it back, within the limit on lines control bytes
// cause (controllimit.go); it says what the limit held back since the last one.
// What the limit holds back now is said by the next warning let through.
func (l *listener) ignored(name string, p []byte, now time.Time) Event {
	shown, more := p, ""
	if len(p) > unknownShown {
		shown, more = p[:unknownShown], "..."
	}
	ev := Event{Module: name, Kind: Warning, Time: now,
		Err: fmt.Errorf("released: %d bytes ignored: %q%s ('svman ctl %s up' takes it back)", len(p), shown, more, name)}
	if !l.limit.take(now) {
		l.limit.suppressed++
		ev.Quiet = true
		return ev
	}
	ev.Suppressed, l.limit.suppressed = l.limit.suppressed, 0
	return ev
}

// stopListening closes the control FIFO of a released module, if svman listens on it.
func (e *Engine) stopListening(name string) {
	l := e.listeners[name]
	if l == nil {
		return
	}
	if l.watch != nil {
		l.watch.Remove()
	}
	l.rel.Close()
	delete(e.listeners, name)
}

// emit hands an event of the engine's own (not of a supervisor) to the hook.
func (e *Engine) emit(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	if e.cfg.Events != nil {
		e.cfg.Events(ev)
	}
}

// skipReleased leaves out the modules the operator released with `x` whose block
// is unchanged since; a changed block is supervised again, and svman stops
// listening on the control FIFO of a changed one. With forget, a released module
// whose block is gone is forgotten (and no longer listened for); without (an edit
// whose removals wait, pending.go), its release stands until the removal applies.
func (e *Engine) skipReleased(mods []manifest.Module, forget bool) []manifest.Module {
	if len(e.released) == 0 {
		return mods
	}
	out := make([]manifest.Module, 0, len(mods))
	present := make(map[string]bool, len(mods))
	for _, m := range mods {
		present[m.Name] = true
		if rel, ok := e.released[m.Name]; ok {
			if len(Changes(rel, m)) == 0 {
				continue
			}
			delete(e.released, m.Name)
			e.stopListening(m.Name)
		}
		out = append(out, m)
	}
	for name := range e.released {
		if forget && !present[name] {
			delete(e.released, name)
			e.stopListening(name)
		}
	}
	return out
}
