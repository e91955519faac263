package engine

import (
	"fmt"
	"slices"
	"syscall"
	"time"

	"svman/internal/proc"
	"svman/manifest"
	"svman/statusfs"
)

// pollFirst and pollMax bound how often a supervisor whose stop escalated to
// SIGKILL looks whether its process group is empty once the leader is gone (see
// checkStopped), and how often leftovers of a killed svman are looked at. Only
// such modules poll: an idle svman never wakes up.
const (
	pollFirst = time.Millisecond
	pollMax   = 50 * time.Millisecond
)

// escapeesAfter is how long after the stop signal a supervisor whose child
// still runs looks for the module's processes that left its group (setsid
// daemons, which came to svman when their parent died) to give them the stop
// signal too. A child that obeys the signal is gone sooner, and its exit is
// when they must be looked for anyway (its own children that left the group
// come to svman then): one look, which the stop itself does not wait for. At
// shutdown every module stops at once, and a look is a step of its own, which
// every module of a thousand would take while their exits wait.
const escapeesAfter = time.Second

// start forks the module's child now. A child that cannot be started counts as a
// failed run: it is retried per the restart policy, like a crash.
func (s *supervisor) start() {
	if !s.gate.open {
		s.holdForDeps()
		return
	}
	s.disarm()
	s.started = time.Now()
	c, err := s.spawn()
	if err != nil {
		s.oweStatus()
		s.record(Event{Kind: StartFailed, Err: err})
		s.state = stDown
		s.afterExit(nil)
		return
	}
	s.pid, s.pgid = c.PID, c.PID
	s.watchExit(c, false)
	s.changed, s.paused, s.state = s.started, false, stUp
	s.oweStatus()
	s.record(Event{Kind: Started, PID: c.PID, Time: s.started})
	s.beginChecks(c)
	if s.written.State != statusfs.RunUp || s.written.Ready != s.chk.ready || s.written.Completed || s.written.Status != "" {
		s.oweState()
	}
}

// spawn forks the module's child with its output shown as the module's.
func (s *supervisor) spawn() (proc.Child, error) {
	m := s.mod
	spec := proc.Spec{
		Dir: m.Dir, Argv: m.Command, Env: s.env(s.notifyEnv()),
		Limits: m.Limits, Umask: m.Umask, User: m.User, Group: m.Group,
	}
	if m.Ready != nil {
		spec.NotifyFD = m.Ready.NotificationFD
	}
	run := s.starts + 1 // beginChecks counts the start
	s.awaitReadyLog(run)
	return s.startChild(spec, run)
}

// startChild starts spec with its output shown as the module's, as that of
// run (0: not a run of the module, whose lines are never its ready line).
func (s *supervisor) startChild(spec proc.Spec, run uint64) (proc.Child, error) {
	c, err := s.fx.Start(spec, s.output(run))
	if err != nil {
		return proc.Child{}, err
	}
	if c.Pipes != nil {
		s.keepPipes(c.Pipes)
	}
	if c.OutputErr != nil {
		s.record(Event{Kind: Warning, Err: fmt.Errorf("cannot read the output of pid %d: %w", c.PID, c.OutputErr)})
	}
	return c, nil
}

// stop sends the stop signal to the child's process group, and to the module's
// processes that left it once the child is gone or escapeesAfter has passed
// (stopEscapees), and waits, at most stop_timeout, before SIGKILL. The group is
// continued too, so a paused child can act on the signal. The stop is over as
// soon as the leader, its group and those processes are gone (see
// checkStopped), however early that is.
func (s *supervisor) stop() {
	if s.state == stStopping {
		return
	}
	s.disarm()
	s.endChecks()
	s.stopHeld = false
	s.record(Event{Kind: Stopping, PID: s.pgid, Signal: s.mod.StopSignal})
	s.beginStop(s.pgid, nil)
	s.paused = false
	if s.pid == 0 {
		// The leader is gone already: what it left may be gone at the signal.
		s.checkStopped()
		return
	}
	s.escapeesDue = true
	s.arm(earliest(time.Now().Add(escapeesAfter), s.killAt))
}

// earliest is the earlier of a and b.
func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// beginStop enters stStopping for the process group pgid and the processes
// pids: stop_timeout runs from now, and the stop signal goes to all of them,
// with SIGCONT, so that a paused process can act on it.
func (s *supervisor) beginStop(pgid int, pids []int) {
	s.state, s.killed, s.poll, s.escapeesDue = stStopping, false, pollFirst, false
	s.lookSince = time.Now() // what is there when the signal goes: a look sees it
	s.killAt = s.lookSince.Add(s.mod.StopTimeout)
	s.pgid, s.escaped = pgid, pids
	s.signalGroup(s.mod.StopSignal)
	s.signalGroup(syscall.SIGCONT)
	s.step.signalled = true
}

// escalate kills the whole group now.
func (s *supervisor) escalate() {
	if !s.killed {
		s.killed, s.poll = true, pollFirst
		if s.leftovers {
			s.killAt = time.Now().Add(leftoverKillWait)
		} else {
			s.record(Event{Kind: Escalated, PID: s.pgid})
		}
	}
	s.signalGroup(syscall.SIGKILL)
	s.arm(time.Now().Add(s.poll))
}

// killNow kills the whole group at once, on a second stop request: recorded as
// asked for (Killed), not as Escalated, since no stop_timeout ran out.
func (s *supervisor) killNow() {
	if !s.killed {
		s.killed = true
		s.record(Event{Kind: Killed, PID: s.pgid})
	}
	s.escalate()
}

// handleExit takes the child's exit from the reaper.
func (s *supervisor) handleExit(st proc.ExitStatus) {
	s.endChecks()
	if s.state == stUp {
		s.chk.completed = st.Signal == 0 && slices.Contains(s.mod.Restart.ExitCodes, st.Code)
	}
	s.record(Event{Kind: Exited, PID: st.PID, Exit: st, Uptime: st.At.Sub(s.started), Time: st.At, Stopping: s.state == stStopping})
	s.pid, s.paused, s.changed = 0, false, st.At
	s.lastExit = &st
	s.lastEnd = statusfs.Exit{At: st.At, Code: st.Code, CoreDumped: st.CoreDumped}
	if st.Signal != 0 {
		s.lastEnd.Code, s.lastEnd.Signal = 0, manifest.SignalName(st.Signal)
	}
	s.oweStatus()
	s.oweState()
	s.unexpected = s.state == stUp
	if s.exitWhenDown && s.state == stUp {
		s.want = statusfs.WantDown
	}
	// What the child left that is not in its group came to svman when it died,
	// before the reaper took its exit: a scan begun since then sees it.
	s.lookSince = st.At
	if s.state == stUp && (s.fx.GroupAlive(s.pgid) || len(s.fx.Escapees(s.dir.Path(), st.At)) > 0) {
		// The leader is gone but something it started is still in its group: stop
		// that too before anything new starts, so two instances never overlap.
		s.stop()
		return
	}
	if s.state == stStopping {
		s.checkStopped()
		return
	}
	s.groupGone()
}

// handleTimer acts on the one timer: a due start, a due SIGKILL, or a group check.
func (s *supervisor) handleTimer() {
	switch s.state {
	case stBackoff:
		s.start()
	case stHook:
		s.hookTimedOut()
	case stStopping:
		if s.escapeesDue && !s.exitWaiting() {
			// The child still runs: what left its group is looked for now. (An
			// exit the reaper has handed over already is the loop's next event,
			// which looks for them.)
			s.stopEscapees()
		}
		if !s.killed && !time.Now().Before(s.killAt) {
			// What the reaper cannot tell of (a member whose parent is not svman)
			// may have gone quietly: SIGKILL only what really did not stop.
			if s.pid == 0 && s.leftoversGone() {
				s.groupGone()
				return
			}
			s.escalate()
			return
		}
		s.checkStopped()
	}
}

// checkStopped finishes a stop once the leader has exited and neither its group
// nor the module's processes that left it are left. The reaper reports the
// leader's exit; after it, every exit of an orphan the reaper reaps (the group's
// members and the detached processes are svman's children once the leader is
// gone) is a reason to look again, and the kill deadline is the last one. Only
// after SIGKILL, or for the leftovers of a previous svman (leftover.go), does
// the supervisor also look on a timer, more and more slowly: a process whose
// parent is not svman dies without svman being told.
func (s *supervisor) checkStopped() {
	if s.pid != 0 {
		// The reaper reports the leader's exit: nothing to look at until then
		// but the escapees, if they are still due.
		switch {
		case s.escapeesDue:
			s.arm(earliest(time.Now().Add(escapeesAfter), s.killAt))
		case s.killed:
			s.disarm()
		default:
			s.arm(s.killAt)
		}
		return
	}
	s.watchOrphans() // before looking: an exit after the look is then told
	if s.leftoversGone() {
		s.groupGone()
		return
	}
	if !s.killed && !s.leftovers {
		s.arm(s.killAt)
		return
	}
	now := time.Now()
	if s.killed && s.leftovers && !now.Before(s.killAt) {
		s.leftoversSurvive()
		return
	}
	next := now.Add(s.poll)
	if s.leftovers && next.After(s.killAt) {
		next = s.killAt
	}
	s.poll = min(2*s.poll, pollMax)
	s.arm(next)
}

// leftoversGone reports whether nothing is left of a child whose leader has
// exited: no process in its group, none of the module's detached processes,
// which it looks for first (stopEscapees): killing the group may orphan more
// of them, and they come to svman, the subreaper, to be stopped with the rest.
func (s *supervisor) leftoversGone() bool {
	s.stopEscapees()
	if s.fx.GroupAlive(s.pgid) || s.anyAlive(s.escaped) {
		return false
	}
	s.escaped = nil
	return true
}

// stopEscapees looks for the module's processes that left its group and came
// to svman, and gives each it sees for the first time the stop signal (SIGKILL
// once the stop escalated), with SIGCONT. The look uses a scan begun at or
// after lookSince, then the next one needs a scan begun after it: what calls
// for it (an orphan's exit, a poll) came later.
func (s *supervisor) stopEscapees() {
	since := s.lookSince
	if since.IsZero() {
		since = time.Now()
	}
	s.escapeesDue, s.lookSince = false, time.Time{}
	for _, pid := range s.fx.Escapees(s.dir.Path(), since) {
		if !slices.Contains(s.escaped, pid) {
			s.escaped = append(s.escaped, pid)
			sig := s.mod.StopSignal
			if s.killed {
				sig = syscall.SIGKILL
			}
			_ = s.fx.Signal(pid, sig)
			_ = s.fx.Signal(pid, syscall.SIGCONT)
		}
	}
}

// watchOrphans has the reaper tell the supervisor of every orphan it reaps
// (newsOrphan), through a goroutine that lives until unwatchOrphans: while a
// stopping group's leader is gone and its members are not.
func (s *supervisor) watchOrphans() {
	if s.orphanC == nil {
		c := make(chan struct{}, 1)
		s.orphanC = c
		s.fx.WatchOrphanExits(c)
		go func() {
			for range c {
				s.tell(newsOrphan)
			}
		}()
	}
}

// unwatchOrphans undoes watchOrphans.
func (s *supervisor) unwatchOrphans() {
	if s.orphanC != nil {
		s.fx.UnwatchOrphanExits(s.orphanC)
		close(s.orphanC) // the reaper sends no more once unwatched
		s.orphanC = nil
	}
}

// groupGone is reached when no process of the child's group is left: what follows
// depends on whether the child died on its own or was stopped.
func (s *supervisor) groupGone() {
	s.disarm()
	s.unwatchOrphans()
	s.pgid = 0
	s.state = stDown
	if s.leftovers {
		s.leftovers = false
		s.firstStart()
		return
	}
	exit, unexpected := s.lastExit, s.unexpected
	s.lastExit, s.unexpected = nil, false
	if unexpected || s.chk.stopCause != "" {
		s.afterExit(exit)
		return
	}
	s.afterStop()
}

// env is the environment of a process of this module (proc.ProcessEnv): svman's
// own without its secrets (or nothing but a PATH, with env_clear), the user's
// HOME, USER and LOGNAME when it runs as another user, then extra, then the
// module's env, then the variables that mark the process as this module's.
func (s *supervisor) env(extra map[string]string) []string {
	var secrets []string
	if p := s.secrets.Load(); p != nil {
		secrets = *p
	}
	return proc.ProcessEnv(s.mod, s.dir.Path(), secrets, extra)
}

// signalGroup signals the child's process group, and the module's processes that
// left it (setsid) while a stop is under way.
func (s *supervisor) signalGroup(sig syscall.Signal) {
	if s.pgid != 0 {
		s.fx.SignalGroup(s.pgid, sig)
	}
	for _, pid := range s.escaped {
		_ = s.fx.Signal(pid, sig)
	}
}

func (s *supervisor) anyAlive(pids []int) bool {
	for _, pid := range pids {
		if s.fx.Alive(pid) {
			return true
		}
	}
	return false
}
