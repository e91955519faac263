package logfiles

import (
	"errors"
	"fmt"
	"os"
)

// A File's descriptor, taken under the process-wide bound of SetMaxOpen
// (openlimit.go), and given back when another File needs the slot.

// openLocked makes sure the file is open, once it holds a slot. It may
// release f.mu while it waits for one: the caller looks again at what it read
// of f before. The caller holds f.mu.
func (f *File) openLocked() error {
	for f.f == nil {
		if f.closed {
			return fmt.Errorf("log file %s: %w", f.pathName(), os.ErrClosed)
		}
		if openFiles.holds(f) {
			if err := f.open(); err != nil {
				openFiles.release(f)
				return fmt.Errorf("log file %s: %w", f.pathName(), err)
			}
			return nil
		}
		f.mu.Unlock()
		openFiles.take(f)
		f.mu.Lock()
	}
	return nil
}

// park gives f's slot back, and its descriptor once its buffer is written out.
// The line under way stays under way: the next piece is appended to it when
// the file is opened again. The caller holds no File's mu.
func (f *File) park() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.f != nil {
		err := f.flushLocked()
		f.releaseBuf()
		if err = errors.Join(err, f.f.Close()); err != nil {
			f.err = fmt.Errorf("log file %s: %w", f.pathName(), err)
		}
		f.f, f.parked = nil, true
	}
	openFiles.release(f)
}
