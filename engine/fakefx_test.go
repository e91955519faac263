package engine

import (
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"svman/internal/proc"
	"svman/manifest"
	"svman/statusfs"
)

// childPlan is how a fake child behaves.
type childPlan struct {
	runFor     time.Duration    // exits on its own after this long; 0: runs until signalled
	code       int              // the code it exits with on its own
	ignore     []syscall.Signal // signals the leader survives (never SIGKILL)
	stragglers []syscall.Signal // its group outlives the leader until one of these (or SIGKILL) reaches it
	startErr   error            // it cannot be started
}

// fakeChild is a child of the fake system: a leader and, maybe, stragglers in
// its process group.
type fakeChild struct {
	plan       childPlan
	pid        int
	spec       proc.Spec
	exited     chan proc.ExitStatus
	alive      bool
	straggling bool // the group has members beside the leader
	timer      *time.Timer
	watch      func(proc.ExitStatus) // WatchExit's
}

// sent is a signal the supervisor sent: to a group (pgid) or to one process.
type sent struct {
	pid   int
	group bool
	sig   syscall.Signal
}

// fakeFX is the effects of a supervisor without a system: children are values
// that exit on their plan's timer (fake time under synctest) or at the signals
// their plan does not ignore. What the supervisor does is recorded.
type fakeFX struct {
	mu       sync.Mutex
	plans    []childPlan // for the next starts, in order; the last one stays
	children map[int]*fakeChild
	nextPID  int
	sent     []sent
	orphans  map[chan<- struct{}]bool
	ready    func()           // the control FIFO's: call it after writing to the FIFO
	leftover int              // LeftoverGroup's answer
	leftDies []syscall.Signal // the signals the leftover group dies at; nil: SIGTERM and SIGKILL
	leftAt   []syscall.Signal // the signals it got

	probes     []error            // the results of the next probe attempts (probeResults)
	probeCalls int                // the attempts made
	notify     func(Notification) // the notify socket's deliver
}

func newFakeFX(plans ...childPlan) *fakeFX {
	if len(plans) == 0 {
		plans = []childPlan{{}}
	}
	return &fakeFX{plans: plans, children: map[int]*fakeChild{}, nextPID: 100, orphans: map[chan<- struct{}]bool{}}
}

func (f *fakeFX) Start(spec proc.Spec, _ proc.Output) (proc.Child, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	plan := f.plans[0]
	if len(f.plans) > 1 {
		f.plans = f.plans[1:]
	}
	if plan.startErr != nil {
		return proc.Child{}, plan.startErr
	}
	f.nextPID++
	c := &fakeChild{plan: plan, pid: f.nextPID, spec: spec, exited: make(chan proc.ExitStatus, 1), alive: true, straggling: len(plan.stragglers) > 0}
	f.children[c.pid] = c
	if plan.runFor > 0 {
		c.timer = time.AfterFunc(plan.runFor, func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.exit(c, proc.ExitStatus{PID: c.pid, Code: plan.code, At: time.Now()})
		})
	}
	return proc.Child{PID: c.pid, Exited: c.exited}, nil
}

// exit ends c's leader with st. The caller holds mu.
func (f *fakeFX) exit(c *fakeChild, st proc.ExitStatus) {
	if !c.alive {
		return
	}
	c.alive = false
	if c.timer != nil {
		c.timer.Stop()
	}
	if c.watch != nil { // as the reaper's OnExit: the function, not the channel
		c.watch(st)
		return
	}
	c.exited <- st
}

// WatchExit hands the child's exit to exited as the reaper's channel gets it:
// at once if it has exited already.
func (f *fakeFX) WatchExit(c proc.Child, exited func(proc.ExitStatus)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fc := f.children[c.PID]; fc != nil && fc.alive {
		fc.watch = exited
		return
	}
	exited(<-c.Exited)
}

// signalLeader is sig reaching c's leader. The caller holds mu.
func (f *fakeFX) signalLeader(c *fakeChild, sig syscall.Signal) {
	switch sig {
	case syscall.SIGCONT, syscall.SIGSTOP, 0:
		return
	}
	for _, s := range c.plan.ignore {
		if s == sig && sig != syscall.SIGKILL {
			return
		}
	}
	f.exit(c, proc.ExitStatus{PID: c.pid, Code: -1, Signal: sig, At: time.Now()})
}

func (f *fakeFX) Signal(pid int, sig syscall.Signal) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, sent{pid: pid, sig: sig})
	c := f.children[pid]
	if c == nil || !c.alive {
		return syscall.ESRCH
	}
	f.signalLeader(c, sig)
	return nil
}

func (f *fakeFX) SignalGroup(pgid int, sig syscall.Signal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, sent{pid: pgid, group: true, sig: sig})
	if pgid == f.leftover && pgid != 0 {
		f.leftAt = append(f.leftAt, sig)
	}
	c := f.children[pgid]
	if c == nil {
		return
	}
	f.signalLeader(c, sig)
	if !c.straggling {
		return
	}
	for _, s := range append(c.plan.stragglers, syscall.SIGKILL) {
		if s == sig {
			c.straggling = false
			// The stragglers were svman's (the subreaper's) once the leader
			// was gone: the reaper tells of their exits.
			for o := range f.orphans {
				select {
				case o <- struct{}{}:
				default:
				}
			}
		}
	}
}

func (f *fakeFX) GroupAlive(pgid int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if pgid != 0 && pgid == f.leftover {
		return f.leftoverAlive()
	}
	c := f.children[pgid]
	return c != nil && (c.alive || c.straggling)
}

// leftoverAlive: the leftover group is alive until one of leftDies reaches it.
func (f *fakeFX) leftoverAlive() bool {
	dies := f.leftDies
	if dies == nil {
		dies = []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL}
	}
	for _, s := range f.leftAt {
		if slices.Contains(dies, s) {
			return false
		}
	}
	return true
}

func (f *fakeFX) Alive(pid int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.children[pid]
	return c != nil && c.alive
}

func (f *fakeFX) Escapees(string, time.Time) []int { return nil }

func (f *fakeFX) WatchOrphanExits(c chan<- struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orphans[c] = true
}

func (f *fakeFX) UnwatchOrphanExits(c chan<- struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.orphans, c)
}

func (f *fakeFX) LeftoverGroup(int, time.Time) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.leftover
}

func (f *fakeFX) WatchFD(_ int, ready func()) (proc.Watch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ready = ready
	return fakeWatch{}, nil
}

type fakeWatch struct{}

func (fakeWatch) Rearm() error { return nil }
func (fakeWatch) Remove()      {}

// signals returns what the supervisor sent so far, and forgets it.
func (f *fakeFX) signals() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.sent
	f.sent = nil
	return s
}

// child returns the child with pid.
func (f *fakeFX) child(pid int) *fakeChild {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.children[pid]
}

// exitNow makes the leader of pid exit on its own with code.
func (f *fakeFX) exitNow(pid, code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exit(f.children[pid], proc.ExitStatus{PID: pid, Code: code, At: time.Now()})
}

var errNoSuchProgram = errors.New("prog: command not found in PATH")

// machine is one supervisor under test.
type machine struct {
	t   *testing.T
	s   *supervisor
	fx  *fakeFX
	evs chan Event
	t0  time.Time // when it began
}

// startMachine runs a supervisor of mod on fx; before, if set, runs on its status
// directory first.
func startMachine(t *testing.T, mod manifest.Module, fx *fakeFX, before func(*statusfs.Dir)) *machine {
	t.Helper()
	return startMachineGated(t, mod, fx, before, openGate)
}

// startMachineGated is startMachine for a module whose dependencies are, as
// the engine last said, g.
func startMachineGated(t *testing.T, mod manifest.Module, fx *fakeFX, before func(*statusfs.Dir), g gate) *machine {
	t.Helper()
	dir, err := statusfs.Open(filepath.Join(t.TempDir(), mod.Name))
	if err != nil {
		t.Fatal(err)
	}
	if before != nil {
		before(dir)
	}
	m := &machine{t: t, fx: fx, evs: make(chan Event, 256), t0: time.Now()}
	cfg := &Config{Events: func(ev Event) { m.evs <- ev }}
	m.s = newSupervisor(new(mod), dir, cfg, new(atomic.Pointer[[]string]), fx)
	m.s.gate = g
	go m.s.run()
	<-m.s.ready // as Apply waits
	return m
}

// expect takes the next events, which must be of kinds, in order.
func (m *machine) expect(kinds ...Kind) []Event {
	m.t.Helper()
	var got []Event
	for range kinds {
		got = append(got, <-m.evs) // fake time runs on until the event comes
	}
	for i, ev := range got {
		if ev.Kind != kinds[i] {
			m.t.Fatalf("events %v, want kinds %v", got, kinds)
		}
	}
	return got
}

// at is how long after the start ev happened.
func (m *machine) at(ev Event) time.Duration { return ev.Time.Sub(m.t0) }

// ctl writes cmds to the control FIFO, as `svman ctl` does, and has the
// supervisor told it is readable.
func (m *machine) ctl(cmds string) {
	m.t.Helper()
	if err := statusfs.SendControl(m.s.dir.Path(), []byte(cmds)); err != nil {
		m.t.Fatal(err)
	}
	m.fx.mu.Lock()
	ready := m.fx.ready
	m.fx.mu.Unlock()
	ready()
}

func (m *machine) status() statusfs.Status {
	m.t.Helper()
	st, err := statusfs.ReadStatus(m.s.dir.Path())
	if err != nil {
		m.t.Fatal(err)
	}
	return st
}

func (m *machine) state() statusfs.State {
	m.t.Helper()
	st, err := statusfs.ReadState(m.s.dir.Path())
	if err != nil {
		m.t.Fatal(err)
	}
	return st
}

// wantSignals checks what the supervisor sent since the last check.
func (m *machine) wantSignals(want ...sent) {
	m.t.Helper()
	if got := m.fx.signals(); !slices.Equal(got, want) {
		m.t.Errorf("signals sent %v, want %v", got, want)
	}
}

// release ends supervision as the engine does on removal, unless it has ended,
// and waits until the directory is let go.
func (m *machine) release() {
	m.t.Helper()
	m.s.send(supMsg{kind: msgRelease})
	for !isClosed(m.s.done) {
		select {
		case <-m.evs:
		case <-m.s.done:
		}
	}
}

func group(pgid int, sig syscall.Signal) sent { return sent{pid: pgid, group: true, sig: sig} }

func within(d, want time.Duration) bool { return d >= want-want/10 && d <= want+want/10 }

// probeResults sets the results of the next probe attempts, in order; the
// last one stays. Without any, an attempt passes.
func (f *fakeFX) probeResults(errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.probes = errs
}

func (f *fakeFX) Probe(_ manifest.Probe, _ proc.Spec, _ time.Duration, done func(error)) func() {
	f.mu.Lock()
	var err error
	if len(f.probes) > 0 {
		err = f.probes[0]
		if len(f.probes) > 1 {
			f.probes = f.probes[1:]
		}
	}
	f.probeCalls++
	f.mu.Unlock()
	go done(err)
	return func() {}
}

// fakeSocket is a notify socket of the fake system: send hands a datagram to
// the supervisor as the socket's reader would.
type fakeSocket struct{ deliver func(Notification) }

func (fakeSocket) Addr() string { return "@fake" }
func (fakeSocket) Close() error { return nil }
func (f *fakeFX) ListenNotify(deliver func(Notification)) (NotifySocket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notify = deliver
	return fakeSocket{deliver}, nil
}

// notifyFrom sends n as the process pid would.
func (f *fakeFX) notifyFrom(pid int, n Notification) {
	f.mu.Lock()
	deliver := f.notify
	f.mu.Unlock()
	n.PID, n.PGID = pid, f.ProcessGroup(pid)
	deliver(n)
}

// ProcessGroup: a fake child leads its own group while alive.
func (f *fakeFX) ProcessGroup(pid int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.children[pid]; c != nil && c.alive {
		return pid
	}
	return 0
}
