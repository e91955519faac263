package logfiles

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"svman/logmux"
)

const (
	readBufSize = 32 << 10 // a tailer's read buffer; longer lines are gathered in part
	keepPart    = 1 << 20  // a part buffer larger than this is not kept after its line
)

// tailer reads one stream of one module: its rotated files, oldest first, then its
// current file, and, when following, what is appended to it, through rotations.
//
// What remains to read is always, in order: f, the queue of rotated files, and held
// (the current file, opened but not read yet). A rotated file is recognized by its
// name (known) or, for the current file t just read to its end and that was then
// renamed, by its identity (prev, kept open so its inode cannot be reused).
type tailer struct {
	src    Source
	stream logmux.Stream
	order  int    // equal times are given in this order: module order, stdout first
	path   string // the current file
	since  time.Time
	follow bool

	queue []string        // rotated files to read before held
	known map[string]bool // rotated files read, being read or queued
	held  *os.File        // the current file, to read once the queue is done

	f       *os.File // the file being read, or nil
	fi      os.FileInfo
	fromCur bool  // f was opened as the current file
	isCur   bool  // and still was at the last look
	off     int64 // bytes of f read
	br      *bufio.Reader
	part    []byte // a line being gathered: longer than br, or not ended yet
	used    bool   // part was given as a line: empty it before reading on
	last    time.Time

	prev   *os.File // the current file read to its end and renamed away
	prevFI os.FileInfo

	// Tail: where to start in the first file, named startName ("" for held).
	startName string
	startOff  int64

	head  Line // the line given by the last next that returned true
	dirty bool // following: its files changed since it was last read
}

func newTailer(src Source, s logmux.Stream, order int, o Options) *tailer {
	return &tailer{
		src:    src,
		stream: s,
		order:  order,
		path:   filepath.Join(src.Dir, FileName(s)),
		since:  o.Since,
		follow: o.Follow,
		known:  map[string]bool{},
	}
}

// next reads the next line into t.head. It returns false when there is no line for
// now (following) or none left.
func (t *tailer) next() (bool, error) {
	for {
		if t.f == nil {
			if ok, err := t.openNext(); !ok || err != nil {
				return false, err
			}
		}
		line, ok, err := t.readLine()
		if err != nil {
			return false, err
		}
		if !ok && t.isCur && t.follow {
			fi, err := os.Stat(t.path)
			switch {
			case err == nil && os.SameFile(fi, t.fi) && fi.Size() >= t.off:
				return false, nil // nothing new yet
			case err == nil && os.SameFile(fi, t.fi):
				t.rewind() // truncated: read it again from the start
			case err == nil || errors.Is(err, fs.ErrNotExist):
				t.isCur = false // renamed or removed: read what was written before
			default:
				return false, err
			}
			continue
		}
		if !ok {
			// At the end of a file that is not written to any more (or, not following,
			// of the current file): its last line may lack its newline.
			if line, ok = t.takePart(); !ok {
				if t.isCur {
					return false, nil
				}
				t.closeFile()
				continue
			}
		}
		if t.give(line) {
			return true, nil
		}
	}
}

// give parses line into t.head and reports whether it is to be given (not before since).
func (t *tailer) give(line []byte) bool {
	rec, ok := ParseRecord(line, t.src.Module, t.stream)
	tm, pid, text, parsed, cutPiece := rec.Time, rec.PID, rec.Text, rec.Parsed, rec.Cut
	if !ok {
		tm, text, ok = ParseLine(line)
	}
	if ok {
		t.last = tm
	} else {
		tm = t.last
	}
	if !t.since.IsZero() && tm.Before(t.since) {
		return false
	}
	t.head = Line{Time: tm, Module: t.src.Module, Stream: t.stream, Text: text, PID: pid, Parsed: parsed, Cut: cutPiece}
	return true
}

// readLine returns the next whole line of f without its newline, or false at the end
// of what is written; the start of an unfinished line is kept in part.
func (t *tailer) readLine() ([]byte, bool, error) {
	if t.used {
		t.part, t.used = t.part[:0], false
		if cap(t.part) > keepPart {
			t.part = nil
		}
	}
	for {
		b, err := t.br.ReadSlice('\n')
		t.off += int64(len(b))
		switch err {
		case nil:
			b = b[:len(b)-1]
			if len(t.part) == 0 {
				return b, true, nil
			}
			t.part, t.used = append(t.part, b...), true
			return t.part, true, nil
		case bufio.ErrBufferFull:
			t.part = append(t.part, b...)
		case io.EOF:
			t.part = append(t.part, b...)
			return nil, false, nil
		default:
			t.part = append(t.part, b...)
			return nil, false, err
		}
	}
}

// takePart returns the unfinished line, if any, as a line.
func (t *tailer) takePart() ([]byte, bool) {
	if t.used || len(t.part) == 0 {
		return nil, false
	}
	t.used = true
	return t.part, true
}

// rewind reads f again from its start.
func (t *tailer) rewind() {
	if _, err := t.f.Seek(0, io.SeekStart); err != nil {
		return // next read reports it
	}
	t.off = 0
	t.br.Reset(t.f)
	t.part, t.used = t.part[:0], false
}
