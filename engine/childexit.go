package engine

import "svman/internal/proc"

// childExit is an exit the effects told of (watchExit): the child's, or its
// on_exit hook's.
type childExit struct {
	st   proc.ExitStatus
	hook bool
}

// watchExit has the loop told of c's exit (newsExited): c is the child, or its
// on_exit hook if hook. The effects tell it as the child is reaped, so that no
// goroutine of the supervisor waits meanwhile.
func (s *supervisor) watchExit(c proc.Child, hook bool) {
	s.fx.WatchExit(c, func(st proc.ExitStatus) {
		s.exitMu.Lock()
		s.exits = append(s.exits, childExit{st, hook})
		s.exitMu.Unlock()
		s.tell(newsExited)
	})
}

// exitWaiting reports whether an exit was told of that the loop has not
// handled yet.
func (s *supervisor) exitWaiting() bool {
	s.exitMu.Lock()
	defer s.exitMu.Unlock()
	return len(s.exits) > 0
}

// serveExits handles the exits told of, each as a step, after what the
// child wrote before it exited (showWritten).
func (s *supervisor) serveExits() {
	for !s.finished {
		s.exitMu.Lock()
		if len(s.exits) == 0 {
			s.exits = nil
			s.exitMu.Unlock()
			return
		}
		e := s.exits[0]
		s.exits = s.exits[1:]
		s.exitMu.Unlock()
		kind := evExited
		if e.hook {
			kind = evHookExited
		}
		s.serve(&event{kind: kind, exit: e.st})
	}
}
