package engine

import (
	"strconv"

	"svman/internal/proc"
)

// event is one thing the supervisor's loop handles as a step.
type event struct {
	kind   evKind
	msg    *supMsg         // evMsg
	exit   proc.ExitStatus // evExited, evHookExited
	err    error           // evWarning
	check  *checkResult    // evCheck
	notice *Notification   // evNotify
	run    uint64          // evLogMatched: the run whose line matched
}

type evKind uint8

const (
	evMsg          evKind = iota // the engine asks something
	evControl                    // the control FIFO is readable
	evExited                     // the child exited
	evHookExited                 // the on_exit hook exited
	evOrphan                     // an orphan was reaped: look at a stopping group again
	evRepair                     // something of the status directory was deleted
	evWarning                    // a pump's warning
	evTimer                      // the one timer: a due start, SIGKILL, or group check
	evControlLimit               // the limit on control lines lets a line through again
	evRetry                      // failed files are due to be written again
	evCheck                      // a ready or health attempt is done
	evChecksDue                  // the checks' timer: an attempt, the ready timeout or the watchdog is due
	evNotify                     // a datagram of the notify socket
	evFDReady                    // the notification fd saw a newline
	evLogMatched                 // a line of output matched the ready log probe
)

// handle handles ev, within a step.
func (s *supervisor) handle(ev *event) {
	switch ev.kind {
	case evMsg:
		s.handleMsg(*ev.msg)
	case evControl:
		s.readCommands()
	case evExited:
		s.handleExit(ev.exit)
	case evHookExited:
		s.hookDone(ev.exit)
	case evOrphan:
		s.checkStopped()
	case evRepair:
		s.repairDir()
	case evWarning:
		s.record(Event{Kind: Warning, Err: ev.err})
	case evTimer:
		s.handleTimer()
	case evControlLimit:
		s.reportSuppressed()
	case evRetry:
		s.retryFiles()
	case evCheck:
		s.checkDone(*ev.check)
	case evChecksDue:
		s.checksDue()
	case evNotify:
		s.notified(*ev.notice)
	case evFDReady:
		s.becomeReady("newline on notification fd " + strconv.Itoa(s.mod.Ready.NotificationFD))
	case evLogMatched:
		if s.state == stUp && ev.run == s.starts && s.mod.Ready != nil && s.mod.Ready.Log != "" {
			s.becomeReady("output matched " + strconv.Quote(s.mod.Ready.Log))
		}
	}
}
