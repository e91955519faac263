package engine

import (
	"fmt"
	"strconv"
	"time"
)

// Notification is one datagram a module sent on its notify socket (systemd's
// sd_notify protocol), with the pid the kernel vouches for (SCM_CREDENTIALS)
// and that process's group, looked up as the datagram was received (a sender
// that exits at once, as `systemd-notify` does, is then still known), or 0.
type Notification struct {
	PID       int
	PGID      int
	Ready     bool   // READY=1
	Stopping  bool   // STOPPING=1
	Reloading bool   // RELOADING=1
	Watchdog  bool   // WATCHDOG=1
	Status    string // STATUS=...
	HasStatus bool   // STATUS= was in the datagram (it may set an empty status)
	MainPID   int    // MAINPID=, 0 when absent
}

// NotifySocket is a module's notify socket, open for the life of its
// supervision.
type NotifySocket interface {
	// Addr is the value of the child's NOTIFY_SOCKET.
	Addr() string
	Close() error
}

// notifyQueue bounds the datagrams a supervisor has not yet taken: a module
// that floods its socket loses the surplus, not svman its memory.
const notifyQueue = 32

// notifyEnv opens the module's notify socket if its ready block asks for one
// and returns what the child's environment gains: NOTIFY_SOCKET, and
// WATCHDOG_USEC with a watchdog. It returns nil if the socket cannot be opened
// (recorded as a warning: the module then is ready only by its ready timeout).
func (s *supervisor) notifyEnv() map[string]string {
	r := s.mod.Ready
	if r == nil || !r.Notify {
		s.closeNotify()
		return nil
	}
	if s.notify == nil {
		c := make(chan *Notification, notifyQueue)
		sock, err := s.fx.ListenNotify(func(n Notification) {
			select {
			case c <- &n:
				s.tell(newsNotify)
			default:
			}
		})
		if err != nil {
			s.record(Event{Kind: Warning, Err: fmt.Errorf("cannot open the notify socket: %w", err)})
			return nil
		}
		s.notify, s.notifyC = sock, c
	}
	env := map[string]string{"NOTIFY_SOCKET": s.notify.Addr()}
	if r.Watchdog > 0 {
		env["WATCHDOG_USEC"] = strconv.FormatInt(r.Watchdog.Microseconds(), 10)
	}
	return env
}

// closeNotify closes the module's notify socket, if open.
func (s *supervisor) closeNotify() {
	if s.notify != nil {
		_ = s.notify.Close()
		s.notify, s.notifyC = nil, nil
	}
}

// notified takes a datagram of the notify socket. Only the module's own
// processes are heard: the sender must be in the child's process group.
func (s *supervisor) notified(n Notification) {
	if s.state != stUp || s.pgid == 0 || n.PGID != s.pgid {
		return
	}
	k := &s.chk
	if n.HasStatus && n.Status != k.status {
		k.status = n.Status
		s.oweState()
	}
	if n.MainPID > 0 && s.fx.ProcessGroup(n.MainPID) == s.pgid {
		s.record(Event{Kind: Notified, PID: n.MainPID, Text: "MAINPID=" + strconv.Itoa(n.MainPID)})
	}
	if n.Watchdog && !k.watchdogBy.IsZero() {
		k.watchdogBy = time.Now().Add(s.mod.Ready.Watchdog)
		s.armChecks()
	}
	switch {
	case n.Stopping:
		s.record(Event{Kind: Notified, PID: n.PID, Text: "STOPPING=1"})
		s.notReadyAgain()
	case n.Reloading:
		s.record(Event{Kind: Notified, PID: n.PID, Text: "RELOADING=1"})
		s.notReadyAgain()
	case n.Ready:
		s.becomeReady("READY=1")
	}
}

// notReadyAgain: the child said it is stopping or reloading; it is not ready
// until it says READY=1 again.
func (s *supervisor) notReadyAgain() {
	k := &s.chk
	if !k.ready {
		return
	}
	if k.cancel != nil { // its health checks wait for READY=1 too
		k.cancel()
		k.cancel = nil
	}
	k.gen++
	k.ready, k.probeAt = false, time.Time{}
	s.armChecks()
	s.oweState()
}

// awaitNotified has the loop told (newsFDReady) once notified, the child's
// notification fd's channel, is closed: a goroutine waits for it until then,
// or until stopAwaitNotified. nil: the module has no notification fd.
func (s *supervisor) awaitNotified(notified <-chan struct{}) {
	s.stopAwaitNotified()
	if notified == nil {
		return
	}
	stop := make(chan struct{})
	s.chk.fdReady, s.chk.fdStop = notified, stop
	go func() {
		select {
		case <-notified:
			s.tell(newsFDReady)
		case <-stop:
		}
	}()
}

// stopAwaitNotified ends what awaitNotified started.
func (s *supervisor) stopAwaitNotified() {
	if s.chk.fdStop != nil {
		close(s.chk.fdStop)
	}
	s.chk.fdReady, s.chk.fdStop = nil, nil
}
