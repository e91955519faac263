package engine

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"svman/internal/proc"
	"svman/logfiles"
	"svman/logmux"
	"svman/manifest"
	"svman/statusfs"
)

// state is where a supervisor's module stands.
type state int

const (
	stDown     state = iota // no child and none scheduled
	stUp                    // the child runs
	stBackoff               // no child; a start is scheduled at startAt
	stStopping              // the child or its process group is being stopped
	stHook                  // the child is gone; its on_exit hook runs before what follows
	stFailed                // gave up after too many exits; down until `u`
	stWaiting               // wanted up; its dependencies are not what it needs (gate)
)

// supervisor owns one module: its child, its timer, its status directory. Only its
// loop touches the fields below the line: its steps, one at a time, on whichever
// goroutine serves them (serveAll). The engine sends it messages, and the
// callbacks of its effects (the child exited, the control FIFO is readable, a
// file of the status directory was deleted) and its pumps only tell it the news
// (news.go).
type supervisor struct {
	name     string
	dir      *statusfs.Dir
	fx       effects                   // the engine's *proc.System
	cfg      *Config                   // the engine's: Output, Events, Alarms, Hostname
	secrets  *atomic.Pointer[[]string] // the engine's: values no child may see
	msgs     chan *supMsg              // from the engine
	news     atomic.Uint32             // the news told (news.go): the control FIFO is readable, something was deleted, ...
	busy     atomic.Bool               // a goroutine serves the loop (run); set for good once it is over
	exitMu   sync.Mutex                // guards exits
	exits    []childExit               // from WatchExit: exits for the loop to handle (newsExited)
	warnings chan error                // from the pumps and alarm deliveries: warnings for the loop to record
	watch    *proc.DirWatch            // the engine's, or nil
	board    *board                    // the engine's: where the module's phase is published; nil in tests of one supervisor
	done     chan struct{}             // closed when run has returned and the directory is released
	deaf     chan struct{}             // closed when the loop is over: messages sent then are moot
	// ready is closed once the module's first start has been attempted (or, with
	// autostart false, its status written), so Apply can return when what it added
	// is running.
	ready chan struct{}

	// ---- owned by the loop ----
	mod     *manifest.Module // the engine's, never changed: replaced whole
	next    *manifest.Module // replaces mod once the running child is down
	state   state
	want    statusfs.Want
	paused  bool
	alarms  bool      // false once silenced with `s`
	pid     int       // the child, which leads its own process group; 0 when none
	pgid    int       // the child's process group, kept until it is empty
	started time.Time // the last start
	changed time.Time // the last pid change, for the status stamp

	timer      wakeup           // the one timer of the state machine (arm, disarm)
	startAt    time.Time        // stBackoff: when the start is due
	killAt     time.Time        // stStopping: when SIGKILL is due
	killed     bool             // stStopping: SIGKILL was sent
	poll       time.Duration    // stStopping: the next interval between group checks
	lastExit   *proc.ExitStatus // the exit that ended the child being stopped
	unexpected bool             // that exit came while the child was up, not stopping

	history History        // what the restart and alarm policy remember
	pending *Decision      // stHook: what to do once the hook is done
	hookPID int            // stHook: the hook, which leads its own process group
	written statusfs.State // the state last written to state.json
	// restarts and lastEnd are state.json's restarts and last_exit.
	restarts int
	lastEnd  statusfs.Exit

	downBy statusfs.DownReason // why the module is down (state.json's reason), when it is
	kept   *statusfs.State     // set by the engine before run: the recorded state a re-added module keeps (kept.go)

	leftover  []int // set by the engine before run: processes a killed svman left of this module
	leftovers bool  // stStopping: what stops is what a previous svman left (leftover.go)
	escaped   []int // stStopping: processes of the module that left its group, stopped with it
	// escapeesDue: stStopping, the child still runs and the module's processes
	// that left its group have not been looked for yet (stop).
	escapeesDue bool
	// lookSince: stStopping, the next look for those processes may use a scan
	// of /proc begun at or after it (stopEscapees); zero: one begun then.
	lookSince time.Time

	initial []byte                                // the control bytes that took a released module back (released.go)
	ended   func(*supervisor, *statusfs.Released) // the engine's, told once done is closed; nil: nobody listens after `x`
	orphanC chan struct{}                         // stStopping, leader gone: told of orphans reaped (effects.WatchOrphanExits)

	exitWhenDown bool // `x` or removal: end supervision once the child is down
	release      bool // removal or shutdown: also record want down
	finished     bool

	pipes []*proc.Pipes     // of the children whose output may still come
	files [2]*logfiles.File // __stdout, __stderr: written by the pumps
	// parseJSON is the log block's parse = "json", for a JSON console; set by
	// run (openLogs, setLogOptions), read by the pumps.
	parseJSON atomic.Bool
	logWarnState
	fileRetry // files of the status directory whose last write failed (statusfiles.go)

	ctl      proc.Watch    // the control FIFO's watch, or nil
	ctlLimit *controlLimit // the limit on lines control bytes cause (controllimit.go); made at the first such line

	shown sync.Mutex // held by a step, and by a pump handing lines to out (order.go)

	step step // what the step under way owes (step.go)

	gate gate // what the engine last said of the dependencies (gate.go)
	// holdsDependents: modules with on_dependency_restart = "restart" depend
	// on this one (the engine says so); stopHeld: taken down, it runs until
	// they have stopped (waiting.go).
	holdsDependents, stopHeld bool
	waitBlocked               bool   // stWaiting: the reason recorded last was one only an operator can end
	starts                    uint64 // starts of the child so far (phase.go)
	chk                       checks // readiness and health (checks.go)
	notify                    NotifySocket
	notifyC                   chan *Notification // from the notify socket's reader; nil while none is open
}

// Output receives the lines the children write. *logmux.Console is one.
type Output interface {
	Add(name string)
	WriteLines(name string, s logmux.Stream, t time.Time, lines *logmux.Batch)
	// Pace waits while the lines of module name wait for a console that takes
	// them more slowly than the module writes; a module's pump calls it between
	// two reads, holding nothing. WriteLines never waits: a supervisor hands over
	// lines too (order.go), and must never wait for a console.
	Pace(name string)
}

// newSupervisor returns the supervisor of mod, whose status directory is dir,
// for run to take up.
func (e *Engine) newSupervisor(mod *manifest.Module, dir *statusfs.Dir) *supervisor {
	s := newSupervisor(mod, dir, &e.cfg, &e.secrets, e.fx)
	s.watch, s.ended, s.board = e.watch, e.supervisorEnded, e.board
	s.gate = e.initialGate(mod.Name)
	return s
}

func newSupervisor(mod *manifest.Module, dir *statusfs.Dir, cfg *Config, secrets *atomic.Pointer[[]string], fx effects) *supervisor {
	s := &supervisor{
		secrets:  secrets,
		name:     mod.Name,
		dir:      dir,
		fx:       fx,
		cfg:      cfg,
		msgs:     make(chan *supMsg, 2),
		warnings: make(chan error, 4),
		done:     make(chan struct{}),
		deaf:     make(chan struct{}),
		ready:    make(chan struct{}),
		mod:      mod,
		alarms:   true,
		gate:     openGate,
	}
	s.busy.Store(true) // run's, until begin is done
	return s
}

// send hands m to the supervisor unless its loop is over: then nothing would
// read m, and the supervisor is letting go of the module anyway (its end may take
// a while, draining the pipes), so the sender does not wait for it.
func (s *supervisor) send(m supMsg) {
	select {
	case s.msgs <- &m:
		s.tell(newsMsg)
	case <-s.deaf:
	}
}

// run supervises until the module is released or `x` ends it: it takes the
// module up (begin), then serves what came meanwhile (serveAll) and returns.
//
// No goroutine of the supervisor waits for what comes next: the news starts
// one (tell), which serves the events as steps, one at a time, and ends once
// nothing is left, and the child's exit is told by the effects as the child is
// reaped (WatchExit). An idle module costs no goroutine, nor
// the stack one would keep: the runtime gives memory back only from a stack
// used to less than a quarter, which a parked goroutine's is not
// (TestIdleModulesHaveNoGoroutine).
func (s *supervisor) run() {
	s.begin()
	s.serveAll()
}

// serveAll is the loop: it serves the news, each event a step (step.go), until
// none is left, then lets the next news start a goroutine (tell); once the
// loop is over it releases the module (end). Whoever set busy runs it, so one
// goroutine at a time does; busy passes the loop's fields from one to the next.
func (s *supervisor) serveAll() {
	for {
		for !s.finished && s.news.Load() != 0 {
			s.serveNews()
		}
		if s.finished {
			s.end()
			return // busy stays set: no news is served any more
		}
		s.busy.Store(false)
		// News told before busy was cleared started no goroutine: look again.
		if s.news.Load() == 0 || !s.busy.CompareAndSwap(false, true) {
			return
		}
	}
}

// begin takes up the module: watches, leftovers of a previous svman, log files,
// module.json and the first start (or the status of a module that starts down).
func (s *supervisor) begin() {
	s.beginStep()
	defer s.endStep()
	if err := s.watchControl(); err != nil {
		s.record(Event{Kind: Warning, Err: fmt.Errorf("cannot watch the control FIFO (%w): control commands are not read", err)})
	}
	if s.watch != nil {
		if err := s.watch.Add(s.dir.Path(), s.requestRepair); err != nil {
			s.record(Event{Kind: Warning, Err: fmt.Errorf("cannot watch the status directory (%w): a deleted FIFO or lock will not be recreated", err)})
		}
	}
	s.changed = time.Now()
	s.want = statusfs.WantDown
	if s.mod.Autostart && s.initial == nil { // taken back: what took it back decides
		s.want = statusfs.WantUp
	}
	s.restoreKept()
	s.openLogs()
	s.readWritten()
	if !s.appliedOnDisk() {
		s.oweApplied()
	}
	old, err := statusfs.ReadStatus(s.dir.Path())
	leftover := s.leftover
	s.leftover = nil
	if s.stopLeftovers(old, err == nil, leftover) {
		return // firstStart follows once they are gone
	}
	s.firstStart()
}

// firstStart takes the module up once nothing of a previous run is left: it
// starts it if it is wanted up (and was not released meanwhile), or writes the
// status of a module that starts down, and closes ready at the end of the step.
func (s *supervisor) firstStart() {
	defer s.afterStep(func() { close(s.ready) }) // once the step's files are written
	if s.exitWhenDown {
		s.finish()
		return
	}
	s.adoptNext()
	if s.want != statusfs.WantDown {
		s.start() // writes the status, whatever happens
	} else {
		s.oweStatus()
		s.oweState() // what a previous supervision left there is not true now
	}
	s.applyTakeBack()
}

// serve handles ev as a step.
func (s *supervisor) serve(ev *event) {
	if ev.kind == evExited || ev.kind == evHookExited {
		s.showWritten() // before the step: what the child wrote comes before its exit
	}
	s.beginStep()
	s.handle(ev)
	s.endStep()
}

// end releases the module: watches, pumps, log files, the status directory.
func (s *supervisor) end() {
	close(s.deaf)
	if s.watch != nil {
		s.watch.Remove(s.dir.Path())
	}
	s.unwatchControl() // before the directory closes the FIFO
	s.unwatchOrphans()
	s.endChecks()
	// A timer left set would tell an ended loop, and keep the supervisor
	// until it fires.
	s.disarm()
	if s.ctlLimit != nil {
		s.ctlLimit.wake.clear()
	}
	s.retry.clear()
	s.closeNotify()
	s.drainPumps()
	s.closeLogs()
	s.beginStep()
	s.recordWarnings()
	s.record(Event{Kind: Released})
	s.endStep()
	s.beginStep() // the warnings of letting go come after Released
	rel := s.letGo()
	s.endStep()
	if !isClosed(s.ready) {
		close(s.ready) // ended before its first start
	}
	close(s.done)
	if s.ended != nil {
		s.ended(s, rel)
	}
}

// record has the step write ev to the module's supervise log and hand it to the
// engine's hook, once the step's files are written. Only a step of the loop
// records.
func (s *supervisor) record(ev Event) {
	ev.Module = s.name
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	s.step.later = append(s.step.later, handout{ev: &ev})
}

// warn hands err, a warning of another goroutine (a pump's, or an alarm
// delivery's), to the loop, which records it: a module's events come from
// its supervisor only. A warning that finds the queue full is dropped; both
// sources are rate limited already (a failing log file warns once a minute, an
// alarm is sent at most once per alarm interval and channel).
func (s *supervisor) warn(err error) {
	select {
	case s.warnings <- err:
		s.tell(newsWarning)
	default:
	}
}

// recordWarnings records the warnings still queued, once the loop is over.
func (s *supervisor) recordWarnings() {
	for {
		select {
		case err := <-s.warnings:
			s.record(Event{Kind: Warning, Err: err})
		default:
			return
		}
	}
}

// addLine adds ev's line for the module's supervise logs to lines, unless ev
// is quiet. Only endStep calls it.
func (s *supervisor) addLine(lines *statusfs.LogBatch, ev Event) {
	switch {
	case ev.Quiet:
	case ev.Warn():
		lines.Warning("%s", ev)
	default:
		lines.Notice("%s", ev)
	}
}

func (s *supervisor) arm(at time.Time) { s.timer.set(at, s, newsTimer) }

func (s *supervisor) disarm() { s.timer.clear() }
