package engine

import "fmt"

// watchControl has the effects tell the supervisor when its control FIFO is
// readable (one epoll instance for every module), so that no goroutine per
// module waits on it.
func (s *supervisor) watchControl() error {
	fd, err := s.dir.ControlFD()
	if err != nil {
		return err
	}
	x, err := s.fx.WatchFD(fd, func() { s.tell(newsControl) })
	if err != nil {
		return err
	}
	s.ctl = x
	return nil
}

// unwatchControl unregisters the control FIFO, before the directory closes or
// replaces it.
func (s *supervisor) unwatchControl() {
	if s.ctl != nil {
		s.ctl.Remove()
		s.ctl = nil
	}
}

// controlReadSize is how much of the control FIFO one read takes: as much as
// one atomic write to a pipe can hold (PIPE_BUF).
const controlReadSize = 4096

// readCommands applies the bytes waiting in the control FIFO, all in the step
// under way, then asks to be told of more.
func (s *supervisor) readCommands() {
	buf := make([]byte, controlReadSize)
	n, err := s.dir.TryReadControl(buf)
	s.applyControl(buf[:n])
	if err != nil {
		s.record(Event{Kind: Warning, Err: fmt.Errorf("control FIFO: %w", err)})
		return
	}
	if s.ctl != nil {
		_ = s.ctl.Rearm()
	}
}
