package engine

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"syscall"
	"time"

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
		s.afterExit(nil)
		return
	}
	s.pid, s.pgid, s.exited = pid, pid, exited
	s.changed, s.paused, s.state = s.started, false, stUp
	s.writeStatus()
	if s.written.State != "up" {
		s.writeState()
	}
	s.record(Event{Kind: Started, PID: pid, Time: s.started})
}

// spawn resolves the module's command and forks it with its output pumped.
func (s *supervisor) spawn() (int, <-chan ExitStatus, error) {
	m := s.mod
	if fi, err := os.Stat(m.Dir); err != nil {
		return 0, nil, fmt.Errorf("working directory %s: %w", m.Dir, errors.Unwrap(err))
	} else if !fi.IsDir() {
		return 0, nil, fmt.Errorf("working directory %s is not a directory", m.Dir)
	}
	env := s.env(nil)
	path, err := resolveCommand(m.Dir, m.Command[0], env)
	if err != nil {
		return 0, nil, err
	}
	path, argv, err := wrap(m.Limits, m.Umask, path, m.Command)
	if err != nil {
		return 0, nil, err
	}
	return s.spawnWithPumps(path, argv, env)
}

// spawnWithPumps forks path in the module's directory, its stdin /dev/null and
// its output shown as the module's.
func (s *supervisor) spawnWithPumps(path string, argv, env []string) (int, <-chan ExitStatus, error) {
	stdin, err := os.Open(os.DevNull)
	if err != nil {
		return 0, nil, err
	}
	defer stdin.Close()
	ps, err := newPumpSet()
	if err != nil {
		return 0, nil, err
	}
	cred, err := credential(s.mod)
	if err != nil {
		ps.closeReadEnds()
		ps.closeWriteEnds()
		return 0, nil, err
	}
	pid, exited, err := s.r.Spawn(SpawnSpec{
		Path:       path,
		Argv:       argv,
		Env:        env,
		Dir:        s.mod.Dir,
		Files:      [3]*os.File{stdin, ps.w[0], ps.w[1]},
		Credential: cred,
	})
	ps.closeWriteEnds()
	if err != nil {
		ps.closeReadEnds()
		return 0, nil, fmt.Errorf("exec %s: %w", path, err)
	}
	if err := s.startPumps(ps); err != nil {
		s.record(Event{Kind: Warning, Err: fmt.Errorf("cannot read the output of pid %d: %w", pid, err)})
	}
	return pid, exited, nil
}

// stop sends the stop signal to the child's process group and to the module's
// processes that left it, and waits, at most stop_timeout, before SIGKILL. The
// group is continued too, so a paused child can act on the signal. The stop is
// over as soon as the leader, its group and those processes are gone (see
// checkStopped), however early that is.
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
	// The group first: the scan for the module's processes that left it reads
	// /proc, and at shutdown every module scans at once.
	s.escaped = nil
	s.signalGroup(s.mod.StopSignal)
	s.signalGroup(syscall.SIGCONT)
	s.escaped = s.r.escapees(s.dir.Path())
	for _, pid := range s.escaped {
		_ = syscall.Kill(pid, s.mod.StopSignal)
		_ = syscall.Kill(pid, syscall.SIGCONT)
	}
	s.paused = false
	if s.pid == 0 {
		// The leader is gone already: what it left may be gone at the signal.
		s.checkStopped()
		return
	}
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
func (s *supervisor) handleExit(st ExitStatus) {
	s.exited = nil
	s.record(Event{Kind: Exited, PID: st.PID, Exit: st, Uptime: st.At.Sub(s.started), Time: st.At, Stopping: s.state == stStopping})
	s.pid, s.paused, s.changed = 0, false, st.At
	s.lastExit = &st
	s.writeStatus()
	s.unexpected = s.state == stUp
	if s.exitWhenDown && s.state == stUp {
		s.want = statusfs.WantDown
	}
	if s.state == stUp && (groupAlive(s.pgid) || len(s.r.escapees(s.dir.Path())) > 0) {
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
// after SIGKILL does the supervisor also look on a timer, more and more slowly:
// a member whose parent is not svman dies without svman being told.
func (s *supervisor) checkStopped() {
	if s.pid != 0 {
		// The reaper reports the leader's exit: nothing to look at until then.
		if s.killed {
			s.disarm()
		} else {
			s.arm(s.killAt)
		}
		return
	}
	s.watchOrphans() // before looking: an exit after the look is then told
	if s.leftoversGone() {
		s.groupGone()
		return
	}
	if !s.killed {
		s.arm(s.killAt)
		return
	}
	next := time.Now().Add(s.poll)
	if s.poll *= 2; s.poll > pollMax {
		s.poll = pollMax
	}
	s.arm(next)
}

// leftoversGone reports whether nothing is left of a child whose leader has
// exited: no process in its group, none of the module's detached processes.
// Detached processes it sees for the first time get the stop signal (SIGKILL
// once the stop escalated): killing the group may orphan more of them, and they
// come to svman, the subreaper, to be stopped with the rest.
func (s *supervisor) leftoversGone() bool {
	for _, pid := range s.r.escapees(s.dir.Path()) {
		if !slices.Contains(s.escaped, pid) {
			s.escaped = append(s.escaped, pid)
			sig := s.mod.StopSignal
			if s.killed {
				sig = syscall.SIGKILL
			}
			_ = syscall.Kill(pid, sig)
			_ = syscall.Kill(pid, syscall.SIGCONT)
		}
	}
	if groupAlive(s.pgid) || anyAlive(s.escaped) {
		return false
	}
	s.escaped = nil
	return true
}

// watchOrphans has the reaper tell the supervisor of every orphan it reaps.
func (s *supervisor) watchOrphans() {
	if s.orphanC == nil {
		s.orphanC = make(chan struct{}, 1)
		s.r.watchOrphanExits(s.orphanC)
	}
}

// unwatchOrphans undoes watchOrphans.
func (s *supervisor) unwatchOrphans() {
	if s.orphanC != nil {
		s.r.unwatchOrphanExits(s.orphanC)
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
	exit, unexpected := s.lastExit, s.unexpected
	s.lastExit, s.unexpected = nil, false
	if unexpected {
		s.afterExit(exit)
		return
	}
	s.afterStop()
}

// groupAlive reports whether any process is left in process group pgid.
func groupAlive(pgid int) bool {
	if pgid == 0 {
		return false
	}
	err := syscall.Kill(-pgid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// env is the environment of a child of this module: svman's own without its
// secrets (or nothing but a PATH, with env_clear), the user's HOME, USER and
// LOGNAME when it runs as another user, then extra, then the module's env, then
// the variables that mark the child as this module's.
func (s *supervisor) env(extra map[string]string) []string {
	var secrets []string
	if p := s.secrets.Load(); p != nil {
		secrets = *p
	}
	base := os.Environ()
	if s.mod.EnvClear {
		base = []string{"PATH=" + manifest.DefaultPath}
	}
	var user map[string]string
	if u := s.mod.User; u != nil {
		user = map[string]string{"HOME": u.Home, "USER": u.Name, "LOGNAME": u.Name}
	}
	mark := map[string]string{EnvModule: s.name, EnvStatusDir: s.dir.Path()}
	return childEnv(base, secrets, user, extra, s.mod.Env, mark)
}

// signalGroup signals the child's process group, and the module's processes that
// left it (setsid) while a stop is under way.
func (s *supervisor) signalGroup(sig syscall.Signal) {
	if s.pgid != 0 {
		_ = syscall.Kill(-s.pgid, sig)
	}
	for _, pid := range s.escaped {
		_ = syscall.Kill(pid, sig)
	}
}

func anyAlive(pids []int) bool {
	for _, pid := range pids {
		if processAlive(pid) {
			return true
		}
	}
	return false
}
