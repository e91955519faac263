package engine

import (
	"fmt"
	"sync"

	"svman/internal/fdwatch"
)

// watchControl has the engine's fdwatch tell the supervisor when its control FIFO
// is readable, so that no goroutine per module waits on it; false if it cannot.
func (s *supervisor) watchControl() bool {
	if s.fds == nil {
		return false
	}
	fd, err := s.dir.ControlFD()
	if err != nil {
		return false
	}
	x, err := s.fds.Add(fd, func(*fdwatch.Watch) {
		select {
		case s.ctlReady <- struct{}{}:
		default: // already told
		}
	})
	if err != nil {
		return false
	}
	s.ctl = x
	return true
}

// unwatchControl unregisters the control FIFO, before the directory closes or
// replaces it.
func (s *supervisor) unwatchControl() {
	if s.ctl != nil {
		s.ctl.Remove()
		s.ctl = nil
	}
}

// readCommands applies the bytes waiting in the control FIFO, each one a step of
// its own, then asks to be told of more.
func (s *supervisor) readCommands() {
	var buf [64]byte
	n, err := s.dir.TryReadControl(buf[:])
	for _, b := range buf[:n] {
		if s.finished {
			return // `x`: the rest is for no one
		}
		s.hold()
		s.handleCommand(b)
		s.flush()
	}
	if err != nil {
		s.record(Event{Kind: Warning, Err: fmt.Errorf("control FIFO: %w", err)})
		return
	}
	if s.ctl != nil {
		_ = s.ctl.Rearm()
	}
}

// readControl feeds control bytes to run until quit is closed; the directory's
// Close makes a blocked read return.
func (s *supervisor) readControl(quit chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	buf := make([]byte, 64)
	for {
		n, err := s.dir.ReadControl(buf)
		for _, b := range buf[:n] {
			select {
			case s.cmds <- b:
			case <-quit:
				return
			}
		}
		if err != nil {
			return
		}
	}
}
