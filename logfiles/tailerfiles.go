package logfiles

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
)

// openNext opens the next file to read: the first queued rotated one, else the
// current one. It returns false when there is none (yet).
func (t *tailer) openNext() (bool, error) {
	for {
		if len(t.queue) > 0 {
			name := t.queue[0]
			t.queue = t.queue[1:]
			f, err := os.Open(name)
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted (the oldest go first) before it could be read
			}
			if err != nil {
				return false, err
			}
			return true, t.setFile(f, name)
		}
		if t.held == nil {
			if err := t.sync(); err != nil {
				return false, err
			}
			if len(t.queue) > 0 {
				continue
			}
			if t.held == nil {
				return false, nil
			}
		}
		f := t.held
		t.held = nil
		return true, t.setFile(f, "")
	}
}

// setFile starts reading f (name "" is the current file).
func (t *tailer) setFile(f *os.File, name string) error {
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	t.f, t.fi, t.fromCur, t.isCur = f, fi, name == "", name == ""
	t.off, t.last = 0, fi.ModTime()
	t.part, t.used = t.part[:0], false
	if t.startOff > 0 && name == t.startName {
		if t.off, err = f.Seek(t.startOff, io.SeekStart); err != nil {
			return err
		}
	}
	t.startOff = 0
	if t.br == nil {
		t.br = bufio.NewReaderSize(f, readBufSize)
	} else {
		t.br.Reset(f)
	}
	return nil
}

// closeFile is done with f. A current file is kept as prev until the next scan, to
// recognize it among the rotated files.
func (t *tailer) closeFile() {
	if t.fromCur {
		t.closePrev()
		t.prev, t.prevFI = t.f, t.fi
	} else {
		t.f.Close()
	}
	t.f = nil
}

func (t *tailer) closePrev() {
	if t.prev != nil {
		t.prev.Close()
		t.prev, t.prevFI = nil, nil
	}
}

// sync queues the rotated files not seen yet and opens the current file into held,
// again as long as a rotation happens in between: then the queue and held are, in
// order, all that remains. held stays nil when there is no current file.
func (t *tailer) sync() error {
	for {
		if err := t.scan(); err != nil {
			return err
		}
		f, err := os.Open(t.path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		n := len(t.queue)
		if err := t.scan(); err != nil {
			f.Close()
			return err
		}
		if len(t.queue) == n {
			t.held = f
			return nil
		}
		// Rotated since the first scan: f may be one of the new rotated files. Queued
		// by name, they are read in their order; look for the current file again.
		f.Close()
	}
}

// scan lists the rotated files and queues those not seen before, except prev, already read.
func (t *tailer) scan() error {
	names, err := rotatedFiles(t.path)
	if err != nil {
		return err
	}
	known := make(map[string]bool, len(names))
	for _, name := range names {
		known[name] = true
		if t.known[name] {
			continue
		}
		if t.prev != nil {
			if fi, err := os.Stat(name); err == nil && os.SameFile(fi, t.prevFI) {
				continue
			}
		}
		t.queue = append(t.queue, name)
	}
	t.known = known // a name gone cannot come back: names hold the time of rotation
	t.closePrev()
	return nil
}

func (t *tailer) close() {
	for _, f := range []*os.File{t.f, t.held, t.prev} {
		if f != nil {
			f.Close()
		}
	}
	t.f, t.held, t.prev = nil, nil, nil
}
