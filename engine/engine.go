package engine

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"svman/internal/proc"
	"svman/manifest"
	"svman/statusfs"
)

// Config is what an Engine needs from its owner.
type Config struct {
	// Reaper forks and reaps every child; one per process.
	Reaper *proc.Reaper
	// Output receives every line the children write.
	Output Output
	// Events, if set, receives every event as it happens: a module's events
	// from its supervisor's loop, in order, and the engine's own (a status
	// directory closed up, a released module's control FIFO, an alarm not
	// delivered) from Run's. It is never called from anywhere else, and must not
	// block.
	Events func(Event)
	// Alarms, if set, delivers the alarms modules raise.
	Alarms Alarmer
	// Hostname names this machine in alarms; empty means os.Hostname.
	Hostname string
	// Readiness, if set, is called from Run's goroutine whenever the counts
	// of modules by readiness change. It must not block.
	Readiness func(Readiness)
}

// Engine makes the running set of modules match the manifest it is given. Run owns
// all its state; Apply and Kill are requests to Run, safe from any goroutine.
type Engine struct {
	cfg     Config
	secrets atomic.Pointer[[]string]                 // the manifest's secrets, kept out of children
	held    atomic.Pointer[map[string]*statusfs.Dir] // Held's: the status directories of sups, as Run last published them
	reqs    chan func()
	ends    chan supEnd   // supervisors that have ended, for Run to forget
	stopped chan struct{} // closed when Run has returned

	// ---- owned by Run ----
	sys     *proc.System   // forks, signals, and tells when descriptors are readable
	fx      systemFx       // sys, with the probes and notify sockets: the supervisors' effects
	watch   *proc.DirWatch // nil when inotify is not available
	current *manifest.Manifest
	inForce []manifest.Module      // the blocks the supervised modules run with, pending removals included
	pending map[string]bool        // modules whose removal an edit held back (ApplyEdit)
	sups    map[string]*supervisor // the supervised modules, by name; changed by addSup and dropSup only
	// heldStale: sups changed since Run last published it for Held.
	heldStale bool
	draining  map[string]*supervisor // removed, still stopping
	// released are modules whose supervision the operator ended with `x`, as they
	// were then: a reload leaves them alone unless their block changes.
	released map[string]manifest.Module
	closing  bool

	listeners map[string]*listener // on the control FIFOs of released modules (released.go)

	board     *board                                   // the phases the supervisors publish (phase_board.go)
	published map[string]phase                         // what the board said, as of the last look (and what is assumed of those yet to publish: phases)
	graph     bool                                     // some module in force has depends_on
	deps      map[string]map[string]manifest.Condition // each module's dependencies on modules (instances.go)
	gates     map[string]gate                          // what each module with dependencies was last told (deps.go)
	readiness Readiness                                // the counts last reported
	letGo     map[string]bool                          // at shutdown: the modules already told to stop
	allLetGo  bool                                     // at shutdown: every module has been told to stop
	holders   map[string]bool                          // the modules told that dependents restart with them
}

// New returns an Engine that does nothing until Run runs. It fails if the
// kernel cannot tell it when descriptors are readable (epoll): svman reads every
// control FIFO and output pipe that way.
func New(cfg Config) (*Engine, error) {
	if cfg.Hostname == "" {
		cfg.Hostname = proc.Hostname()
	}
	sys, err := proc.NewSystem(cfg.Reaper)
	if err != nil {
		return nil, fmt.Errorf("cannot watch descriptors (epoll): %w", err)
	}
	return &Engine{
		cfg:       cfg,
		sys:       sys,
		fx:        newSystemFx(sys),
		reqs:      make(chan func()),
		ends:      make(chan supEnd),
		stopped:   make(chan struct{}),
		sups:      make(map[string]*supervisor),
		draining:  make(map[string]*supervisor),
		released:  make(map[string]manifest.Module),
		board:     newBoard(),
		published: make(map[string]phase),
		gates:     make(map[string]gate),
		letGo:     make(map[string]bool),
		holders:   make(map[string]bool),
	}, nil
}

// ErrStopped is returned by requests made after Run has begun shutting down.
var ErrStopped = errors.New("engine is shutting down")

// Run serves requests until ctx is done, then stops every module in parallel and
// returns once all of them are down and their status directories released.
func (e *Engine) Run(ctx context.Context) {
	defer close(e.stopped)
	defer e.sys.Close() // last: every supervisor has unregistered by then
	if w, err := proc.NewDirWatch(statusfs.Restored); err == nil {
		e.watch = w
		defer w.Close()
	}
	defer e.held.Store(nil)
	for {
		select {
		case f := <-e.reqs:
			f()
		case x := <-e.ends:
			e.ended(x)
		case <-e.board.changed:
			e.reconcileDeps()
		case <-ctx.Done():
			e.shutdown()
			return
		}
		e.publishHeld()
	}
}

func (e *Engine) shutdown() {
	e.closing = true
	for name := range e.listeners {
		e.stopListening(name)
	}
	if e.watch != nil {
		e.watch.StopAll()
	}
	e.releaseInOrder()
	for len(e.sups)+len(e.draining) > 0 {
		select {
		case f := <-e.reqs:
			f() // Kill still works while stopping
		case x := <-e.ends:
			e.ended(x)
			e.releaseInOrder()
		case <-e.board.changed:
			e.reconcileDeps()
		}
		e.publishHeld()
	}
}

// supEnd is a supervisor that has ended (its done is closed), with the control
// FIFO of a module the operator released with `x` (nil otherwise).
type supEnd struct {
	s   *supervisor
	rel *statusfs.Released
}

// supervisorEnded is called by the goroutine of a supervisor once its done is
// closed; Run takes the end as an event of its loop (ended).
func (e *Engine) supervisorEnded(s *supervisor, rel *statusfs.Released) {
	select {
	case e.ends <- supEnd{s, rel}:
	case <-e.stopped:
		if rel != nil {
			rel.Close()
		}
	}
}

// ended forgets a supervisor that has ended, and listens on the control FIFO of
// a module the operator released with `x` while it stays released.
func (e *Engine) ended(x supEnd) {
	e.forget(x.s) // the others that ended are told too, each in its turn
	if e.sups[x.s.name] == nil {
		e.board.drop(x.s.name)
		delete(e.gates, x.s.name) // a supervisor that takes it back is told afresh
		delete(e.holders, x.s.name)
	}
	if x.rel != nil {
		e.listen(x.s.name, x.rel)
	}
}

// do runs f on the Run goroutine and waits for it.
func (e *Engine) do(f func()) error {
	done := make(chan struct{})
	select {
	case e.reqs <- func() { f(); close(done) }:
	case <-e.stopped:
		return ErrStopped
	}
	<-done
	return nil
}

// Kill sends SIGKILL to every module's process group at once: the answer to a
// second interrupt while a graceful stop is under way.
func (e *Engine) Kill() {
	_ = e.do(func() {
		for name, s := range e.sups {
			if e.closing && !e.letGo[name] {
				e.letGo[name] = true // no waiting for dependents any more
				s.send(supMsg{kind: msgRelease})
			}
			s.send(supMsg{kind: msgKill})
		}
		for _, s := range e.draining {
			s.send(supMsg{kind: msgKill})
		}
	})
}

// ReportAlarmFailure records that an alarm of module could not be delivered
// through channel, in its supervise.log.wf and as a Warning event (only the
// event, if the module is no longer supervised). It is the alarm sender's
// Failed callback, called from a delivery goroutine.
func (e *Engine) ReportAlarmFailure(module, channel string, err error) {
	_ = e.do(func() {
		s := e.sups[module]
		if s == nil {
			s = e.draining[module]
		}
		err := fmt.Errorf("alarm by %s not delivered: %w", channel, err)
		if s != nil && !isClosed(s.done) {
			s.warn(err) // its supervisor records it, in its log and as its event
			return
		}
		e.emit(Event{Module: module, Kind: Warning, Err: err})
	})
}

// Apply makes m the desired state and returns what it changed. On the first Apply
// every status directory is locked before any module starts, and if one cannot be,
// nothing starts and the error says which and why. Later Applies change only what
// the plan names; a module whose directory cannot be taken is reported in the error
// and the rest is applied.
//
// Apply returns once every added module's first start has been attempted, so that
// when it returns, what it started is running (or has reported why it is not).
//
// A module added again after its block was removed keeps what its status
// directory records (kept.go): taken down with `d`, it stays down; given up on, it
// stays failed; unless its block differs from the one it ran with.
func (e *Engine) Apply(m *manifest.Manifest) (Plan, error) {
	return e.ApplyWith(m, ApplyOptions{})
}

// ApplyEdit is Apply for a manifest that an edit of the file produced, which may
// be the first part of a save still under way: additions and changes are applied,
// but modules whose blocks are missing keep running as they are, listed in
// Plan.Pending. A later Apply removes them; a later ApplyEdit that has their blocks
// again leaves them alone, listed in Plan.Cancelled.
func (e *Engine) ApplyEdit(m *manifest.Manifest) (Plan, error) {
	return e.ApplyWith(m, ApplyOptions{HoldRemovals: true})
}

// ApplyOptions say how ApplyWith applies a manifest.
type ApplyOptions struct {
	// HoldRemovals: the manifest comes from an edit (ApplyEdit).
	HoldRemovals bool
	// Announce, if set, is called with the plan on the engine's goroutine before
	// any of it is carried out: what it hands to the console comes before every
	// event of the plan. It must not block.
	Announce func(Plan)
}

// ApplyWith is Apply or ApplyEdit, as o says.
func (e *Engine) ApplyWith(m *manifest.Manifest, o ApplyOptions) (Plan, error) {
	var plan Plan
	var err error
	var added []*supervisor
	for {
		var stopping []*supervisor
		if rerr := e.do(func() { plan, added, stopping, err = e.apply(m, o) }); rerr != nil {
			return Plan{}, rerr
		}
		if len(stopping) == 0 {
			break
		}
		// Modules to add that a removal is still stopping: nothing was applied.
		// Wait for them here, not on the Run goroutine, then apply again.
		for _, s := range stopping {
			<-s.done
		}
	}
	// Wait here, not on the Run goroutine: Run must stay free for other requests.
	for _, s := range added {
		select {
		case <-s.ready:
		case <-s.done:
		}
	}
	return plan, err
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
