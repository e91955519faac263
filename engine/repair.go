package engine

import (
	"fmt"
	"strings"

	"svman/statusfs"
)

// requestRepair asks the supervisor to check its status directory; requests that
// come while one is pending are the same request.
func (s *supervisor) requestRepair() { s.tell(newsRepair) }

// repairDir recreates what was deleted of the status directory and writes again
// what svman knows, so the directory says the truth again.
func (s *supervisor) repairDir() {
	// A recreated control FIFO is a new descriptor: the watch of the old one goes
	// before Repair closes it, and the current one is watched again after.
	if s.ctl != nil {
		s.unwatchControl()
		defer func() {
			if err := s.watchControl(); err != nil {
				s.record(Event{Kind: Warning, Err: fmt.Errorf("cannot watch the control FIFO again (%w): control commands are not read", err)})
			}
		}()
	}
	recreated, err := s.dir.Repair()
	if err != nil {
		s.record(Event{Kind: Warning, Err: fmt.Errorf("cannot repair the status directory: %w", err)})
	}
	if len(recreated) == 0 && err == nil {
		// Nothing of the directory was missing; the status file or
		// state.json may have been.
		s.oweStatus()
		s.written = statusfs.State{} // force
		s.oweState()
		return
	}
	s.record(Event{Kind: Warning, Err: fmt.Errorf("status directory damaged from outside: recreated %s", strings.Join(recreated, ", "))})
	if s.watch != nil {
		// The old watch went with a directory removed. Repair cannot always tell
		// one made again by someone else from the old one (it may get the same
		// inode number), so the path is watched again after any repair: that
		// costs nothing when its watch is still there.
		_ = s.watch.Add(s.dir.Path(), s.requestRepair)
	}
	s.oweStatus()
	s.oweApplied()
	s.written = statusfs.State{} // force: state.json went with the directory
	s.oweState()
}
