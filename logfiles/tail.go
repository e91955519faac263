package logfiles

import (
	"errors"
	"io/fs"
	"os"
)

// start finds the files to read. With tail > 0 it skips all but the last tail lines
// of what they hold; with tail < 0, all of it.
func (t *tailer) start(tail int) error {
	if err := t.sync(); err != nil {
		return err
	}
	switch {
	case tail < 0:
		t.queue = nil
		if t.held != nil {
			fi, err := t.held.Stat()
			if err != nil {
				return err
			}
			// From the end, or from the start of an unfinished last line.
			off, _, err := lastLines(t.held, fi.Size(), 1)
			if err != nil {
				return err
			}
			if endsLine(t.held, fi.Size()) {
				off = fi.Size()
			}
			t.startName, t.startOff = "", off
		}
		return nil
	case tail == 0:
		return nil
	}
	need := tail
	// The current file, then the rotated ones from the newest.
	for i := len(t.queue); i >= 0; i-- {
		off, found, err := t.lastLinesOf(i, need)
		if err != nil {
			return err
		}
		if found < need && i > 0 {
			need -= found
			continue
		}
		if i == len(t.queue) {
			t.startName = ""
		} else {
			t.startName = t.queue[i]
		}
		t.startOff = off
		t.queue = t.queue[i:]
		return nil
	}
	return nil
}

// lastLinesOf is lastLines for the i-th file of the queue, or for held when i is past
// the queue. A file that is gone has no lines.
func (t *tailer) lastLinesOf(i, n int) (off int64, found int, err error) {
	f := t.held
	if i < len(t.queue) {
		f, err = os.Open(t.queue[i])
		if errors.Is(err, fs.ErrNotExist) {
			return 0, 0, nil
		}
		if err != nil {
			return 0, 0, err
		}
		defer f.Close()
	}
	if f == nil {
		return 0, 0, nil
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	return lastLines(f, fi.Size(), n)
}

// endsLine reports whether the file of the given size is empty or ends in a
// newline. It answers true when that cannot be read: a newline is only worth adding
// (File) or waiting for (tail) when known to be missing.
func endsLine(f *os.File, size int64) bool {
	var b [1]byte
	if size == 0 {
		return true
	}
	_, err := f.ReadAt(b[:], size-1)
	return err != nil || b[0] == '\n'
}
