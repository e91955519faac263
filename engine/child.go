package engine

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"svman/statusfs"
)

// pollFirst and pollMax bound how often a stopping supervisor looks whether its
// process group is empty once the leader is gone. Only stopping modules poll: an
// idle svman never wakes up.
const (
	pollFirst = time.Millisecond
	pollMax   = 50 * time.Millisecond
)

// start forks the module's child now. A child that cannot be started counts as a
// failed run: it is retried per the restart policy, like a crash.
func (s *supervisor) start() {
	s.disarm()
	s.started = time.Now()
	pid, exited, err := s.spawn()
	if err != nil {
		s.writeStatus()
		s.record(Event{Kind: StartFailed, Err: err})
		s.state = stDown
		s.afterDown(nil)
		return
	}
	s.pid, s.pgid, s.exited = pid, pid, exited
	s.changed, s.paused, s.state = s.started, false, stUp
	s.writeStatus()
	s.record(Event{Kind: Started, PID: pid, Time: s.started})
}

// spawn resolves the command, wires the child's output to two pumps and forks.
func (s *supervisor) spawn() (int, <-chan ExitStatus, error) {
	m := s.mod
	if fi, err := os.Stat(m.Dir); err != nil {
		return 0, nil, fmt.Errorf("working directory: %w", err)
	} else if !fi.IsDir() {
		return 0, nil, fmt.Errorf("working directory %s is not a directory", m.Dir)
	}
	env := childEnv(os.Environ(), m.Env)
	path, err := resolveCommand(m, env)
	if err != nil {
		return 0, nil, err
	}
	stdin, err := os.Open(os.DevNull)
	if err != nil {
		return 0, nil, err
	}
	defer stdin.Close()
	ps, err := newPumpSet()
	if err != nil {
		return 0, nil, err
	}
	pid, exited, err := s.r.Spawn(SpawnSpec{
		Path:  path,
		Argv:  m.Command,
		Env:   env,
		Dir:   m.Dir,
		Files: [3]*os.File{stdin, ps.w[0], ps.w[1]},
	})
	ps.closeWriteEnds()
	if err != nil {
		ps.closeReadEnds()
		return 0, nil, fmt.Errorf("exec %s: %w", path, err)
	}
	s.startPumps(ps)
	return pid, exited, nil
}

// stop sends the stop signal to the child's process group and waits, at most
// stop_timeout, before SIGKILL. The group is continued too, so a paused child can
// act on the signal.
func (s *supervisor) stop() {
	if s.state == stStopping {
		return
	}
	s.disarm()
	s.state = stStopping
	s.killed = false
	s.poll = pollFirst
	s.killAt = time.Now().Add(s.mod.StopTimeout)
	s.record(Event{Kind: Stopping, PID: s.pgid, Signal: s.mod.StopSignal})
	s.signalGroup(s.mod.StopSignal)
	s.signalGroup(syscall.SIGCONT)
	s.paused = false
	s.arm(s.killAt)
}

// escalate kills the whole group now.
func (s *supervisor) escalate() {
	if !s.killed {
		s.killed = true
		s.record(Event{Kind: Escalated, PID: s.pgid})
	}
	s.signalGroup(syscall.SIGKILL)
	s.arm(time.Now().Add(s.poll))
}

// handleExit takes the child's exit from the reaper.
func (s *supervisor) handleExit(st ExitStatus) {
	s.exited = nil
	s.record(Event{Kind: Exited, PID: st.PID, Exit: st, Uptime: st.At.Sub(s.started), Time: st.At})
	s.pid, s.paused, s.changed = 0, false, st.At
	s.lastExit = &st
	s.writeStatus()
	if s.exitWhenDown && s.state == stUp {
		s.want = statusfs.WantDown
	}
	if s.state == stUp && groupAlive(s.pgid) {
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
	case stStopping:
		if !s.killed && !time.Now().Before(s.killAt) {
			s.escalate()
			return
		}
		s.checkStopped()
	}
}

// checkStopped finishes a stop once the leader has exited and its group is empty;
// until then it looks again after a growing interval, or at the kill deadline.
func (s *supervisor) checkStopped() {
	if s.pid != 0 {
		// The reaper reports the leader's exit: nothing to poll until then.
		if s.killed {
			s.disarm()
		} else {
			s.arm(s.killAt)
		}
		return
	}
	if !groupAlive(s.pgid) {
		s.groupGone()
		return
	}
	next := time.Now().Add(s.poll)
	if s.poll *= 2; s.poll > pollMax {
		s.poll = pollMax
	}
	if !s.killed && s.killAt.Before(next) {
		next = s.killAt
	}
	s.arm(next)
}

// groupGone is reached when no process of the child's group is left.
func (s *supervisor) groupGone() {
	s.disarm()
	s.pgid = 0
	s.state = stDown
	exit := s.lastExit
	s.lastExit = nil
	s.adoptNext()
	s.afterDown(exit)
}

// afterDown decides what follows a child that is gone (exit nil: none ran, or it
// could not start): a restart now or later, staying down, or the end of supervision.
func (s *supervisor) afterDown(exit *ExitStatus) {
	if s.exitWhenDown {
		if s.release {
			s.want = statusfs.WantDown
			s.writeStatus()
		}
		s.finished = true
		return
	}
	now := time.Now()
	restart, at := nextStart(s.mod.Restart, s.want, exit, s.started, now)
	if exit == nil && s.want == statusfs.WantUp && s.started.IsZero() {
		restart, at = true, now // nothing ran yet: a plain start
	}
	switch {
	case restart && !at.After(now):
		s.record(Event{Kind: Restarting})
		s.start()
	case restart:
		s.state, s.startAt = stBackoff, at
		s.record(Event{Kind: Restarting, Delay: at.Sub(now)})
		s.arm(at)
	default:
		s.state = stDown
		if s.want == statusfs.WantUp || s.want == statusfs.WantOnce {
			s.want = statusfs.WantDown // the policy says it stays down: say so in status
			s.writeStatus()
		}
		if exit != nil {
			s.record(Event{Kind: Stopped})
		}
	}
}

// groupAlive reports whether any process is left in process group pgid.
func groupAlive(pgid int) bool {
	if pgid == 0 {
		return false
	}
	err := syscall.Kill(-pgid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
