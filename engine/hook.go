package engine

import (
	"fmt"
	"strconv"
	"syscall"
	"time"

	"svman/alarm"
	"svman/internal/proc"
)

// hookTimeout bounds an on_exit hook: the restart it delays must come.
const hookTimeout = 30 * time.Second

// runHook starts the module's on_exit command (the legacy -r RESTART_SH) with the
// number of exits in the current window as its last argument and the facts in its
// environment; its output joins the module's. It reports whether it started.
func (s *supervisor) runHook(exit *proc.ExitStatus, event string) bool {
	m := s.mod
	facts := s.facts(event, exit)
	argv := append(append([]string{}, m.OnExit...), strconv.Itoa(s.history.Exits))
	env := s.env(proc.EnvMap(alarm.Env(facts)))
	c, err := s.startChild(proc.Spec{Dir: m.Dir, Argv: argv, Env: env, User: m.User, Group: m.Group}, 0)
	if err != nil {
		s.record(Event{Kind: Warning, Err: fmt.Errorf("on_exit: %w", err)})
		return false
	}
	s.hookPID = c.PID
	s.watchExit(c, true)
	s.arm(time.Now().Add(hookTimeout))
	return true
}

// hookDone takes the hook's exit and carries out the decision it delayed.
func (s *supervisor) hookDone(st proc.ExitStatus) {
	s.disarm()
	s.hookPID = 0
	if !st.Success() {
		s.record(Event{Kind: Warning, Err: fmt.Errorf("on_exit hook %s", st)})
	}
	d := *s.pending
	s.pending = nil
	s.follow(d)
}

// hookTimedOut kills a hook that ran too long; its exit then arrives as usual.
func (s *supervisor) hookTimedOut() {
	s.record(Event{Kind: Warning, Err: fmt.Errorf("on_exit hook did not finish within %s: killed", hookTimeout)})
	s.fx.SignalGroup(s.hookPID, syscall.SIGKILL)
}
