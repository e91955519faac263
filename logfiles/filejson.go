package logfiles

import (
	"time"
	"unicode/utf8"

	"svman/logmux"
)

// Format is how a File writes its lines.
type Format uint8

const (
	// Text: TimestampLayout, a space and the line (or the line alone without
	// Timestamps), as the package doc shows.
	Text Format = iota
	// JSON: one record a line, as logmux.AppendRecord writes it (its doc says
	// what a record holds), with FileOptions' Module and Stream and the pid
	// given to LineAt; ParseJSON nests a line that is a JSON object.
	// Timestamps does not apply: a record always has its "ts".
	JSON
)

// jsonLine is a JSON File's line under way and the record it is written as. A
// record is written whole when its line ends, so the pieces of a line are held
// in memory until then (up to MaxFileLine), rather than written as they come as
// in Text.
type jsonLine struct {
	t    time.Time // of the line's first piece
	pid  int
	line []byte // the line so far
	rec  []byte // the record being written, reused between lines

	// head is the record's start for headT and headPID: the lines of one read
	// share one time and one pid, so it is made once per read.
	head    []byte
	headT   time.Time
	headPID int
}

// jsonLine is the file's JSON line, made the first time it is needed: a file
// of the Text format, the default, never pays for it. The caller holds f.mu.
func (f *File) jsonLine() *jsonLine {
	if f.json == nil {
		f.json = new(jsonLine)
	}
	return f.json
}

// jsonPiece is LineAt for Format JSON. The caller holds f.mu, the file is open
// and f.buf is taken.
func (f *File) jsonPiece(t time.Time, pid int, line []byte, end logmux.End) {
	j := f.jsonLine()
	if end == logmux.PauseEnd {
		if f.midLine {
			f.writeRecord(j.line, false)
		}
		return
	}
	if !f.midLine {
		if t.IsZero() {
			t = f.opts.Now()
		}
		j.t, j.pid, f.midLine = t, pid, true
		if end == logmux.Newline && len(line) <= MaxFileLine {
			f.writeRecord(line, false) // a whole line, the usual case: no copy
			return
		}
	}
	for room := MaxFileLine - len(j.line); len(line) > room; room = MaxFileLine - len(j.line) {
		j.line = append(j.line, line[:room]...)
		line = line[room:]
		// The bytes of a character the cut would split go on in the next record.
		var carry [utf8.UTFMax]byte
		n := copy(carry[:], j.line[len(j.line)-splitTail(j.line):])
		f.writeRecord(j.line[:len(j.line)-n], true)
		j.line = append(j.line, carry[:n]...)
		f.midLine = true // the line goes on as the next record, with the same time
	}
	j.line = append(j.line, line...)
	if end == logmux.Newline {
		f.writeRecord(j.line, false)
	}
}

// splitTail is how many bytes at the end of b are the start of a UTF-8
// character that b does not hold whole (0 to 3): cut after b, its piece
// would not be UTF-8, and be written in base64. 0 when b is all such bytes.
func splitTail(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if i > 0 && !utf8.FullRune(b[i:]) {
				return len(b) - i
			}
			return 0
		}
	}
	return 0
}

// writeRecord writes line, the whole line under way, as one record, after a
// rotation if it would take the file past MaxSize, and ends it. The caller
// holds f.mu.
func (f *File) writeRecord(line []byte, cut bool) {
	j := f.jsonLine()
	if j.head == nil || j.headPID != j.pid || !j.headT.Equal(j.t) {
		j.head = logmux.AppendRecordHead(j.head[:0], j.t, f.opts.Module, f.opts.Stream, j.pid)
		j.headT, j.headPID = j.t, j.pid
	}
	rec := append(j.rec[:0], j.head...)
	if cut {
		rec = logmux.AppendRecordPiece(rec, line)
	} else {
		rec = logmux.AppendRecordLine(rec, line, f.opts.ParseJSON)
	}
	if f.opts.MaxSize > 0 && f.size > 0 && f.size+int64(len(rec))+1 > f.opts.MaxSize {
		f.rotate(j.t)
	}
	f.put(rec)
	f.endLine()
	j.rec, j.line = rec[:0], j.line[:0]
	if cap(j.line) > keepPart {
		j.line, j.rec = nil, nil // do not keep a huge buffer for small lines
	}
}

// endFormat ends the line under way in the format it was begun in, before the
// format changes: a Text line gets its newline, a JSON one is written as its
// record. The caller holds f.mu; f.midLine is set, so the file is open.
func (f *File) endFormat() {
	if f.buf == nil {
		f.takeBuf()
	}
	if f.opts.Format == JSON {
		f.writeRecord(f.jsonLine().line, false)
	} else {
		f.endLine()
	}
	f.flushLocked()
	f.releaseBuf()
}
