package logmux

import (
	"bytes"
	"os"
	"sync"
	"time"
)

// MaxLine is the longest piece a Lines emits; longer lines are cut into MaxLine pieces.
const MaxLine = 64 << 10

// End says how a piece that a Lines emits ends, which is what its sinks treat
// differently: the console shows every piece but a PauseEnd as a line of its own,
// while a log file joins the pieces of a line until its Newline or PauseEnd.
type End uint8

const (
	// Newline: the piece ends its line: its newline came, or the stream ended.
	Newline End = iota
	// Cut: the line goes on in the next piece; this one was cut at MaxLine. The
	// console marks it with a trailing " …".
	Cut
	// Pause: the child stopped writing in the middle of a line for the idle time:
	// the console shows what there is; a log file keeps the line open for the rest.
	Pause
	// PauseEnd: an empty piece that ends a line whose bytes all came in Pause (and
	// Cut) pieces: its newline came with nothing before it, or the stream ended.
	// A log file ends the line; the console, having shown it all, shows nothing.
	PauseEnd
)

const (
	// readSize is the read buffer of every pump: a whole pipe's worth (64 KiB on
	// Linux), so a module writing as fast as it can costs one read and one file
	// write per pipeful. Buffers come from a pool and are held only while a read
	// feeds its lines (see readBufs), so an idle module pays nothing for their size.
	readSize = 64 << 10
	// keepPending is the largest partial-line buffer kept after its line is emitted: enough
	// for the ordinary case of a read ending mid-line, while the buffer of a long line
	// (up to MaxLine) is released instead of being held by an idle pump.
	keepPending = 4 << 10
)

// pump is the line splitter of a Lines: it cuts what the reads of one stream
// return into pieces for emit, and calls flush after each read's pieces.
//
// A line is emitted, without its "\n", when its newline arrives (end Newline). A
// partial line (no newline yet) is emitted when idle passes with no more bytes
// (end Pause: the bytes after it belong to the same line), and at end of stream
// (end Newline, or an empty PauseEnd when the line's bytes were all emitted in
// Pause pieces already); idle <= 0 disables the idle flush.
//
// A line longer than MaxLine is emitted in MaxLine pieces: every piece but the
// last with end Cut, and the concatenation of the pieces equals the line. A piece
// is only cut when a further byte of the same line is known, so a line of exactly
// MaxLine bytes is one piece. Bytes are passed through untouched: "\r", NUL and
// invalid UTF-8 included.
//
// emit must not retain line after it returns: the slice aliases the buffers.
type pump struct {
	r     *os.File
	idle  time.Duration
	emit  func([]byte, End)
	flush func() // after each read's lines; may be nil

	pend   []byte // the partial line: bytes read after the last newline
	paused bool   // the line under way was emitted in part, in a Pause piece
}

// readBufs are the read buffers of all pumps. A Lines takes one only for a read
// and gives it back before it returns, so a thousand idle modules hold no read
// buffer at all.
var readBufs = sync.Pool{New: func() any { b := make([]byte, readSize); return &b }}

// feed splits data into lines. Complete lines that lie wholly in data are emitted straight
// from the read buffer; only the bytes of an unfinished line are copied into p.pend.
func (p *pump) feed(data []byte) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			p.appendPending(data)
			return
		}
		if len(p.pend) == 0 {
			p.emitEnd(data[:i], true)
		} else {
			p.appendPending(data[:i])
			p.flushPending()
		}
		data = data[i+1:]
	}
}

// appendPending adds b, which contains no newline, to the partial line. A full MaxLine piece
// is emitted as Cut only once a byte after it is at hand: had the line ended right at
// the piece, the next byte would have been its newline and the piece would be the whole line.
func (p *pump) appendPending(b []byte) {
	for len(b) > 0 {
		if len(p.pend) == MaxLine {
			p.emit(p.pend, Cut)
			p.pend = p.pend[:0]
		}
		k := min(MaxLine-len(p.pend), len(b))
		p.grow(k)
		p.pend = append(p.pend, b[:k]...)
		b = b[k:]
	}
}

// grow makes room for k more pending bytes, doubling but never beyond MaxLine, so a long
// line costs at most a MaxLine buffer (append's growth would overshoot it).
func (p *pump) grow(k int) {
	need := len(p.pend) + k
	if need <= cap(p.pend) {
		return
	}
	nc := min(max(2*cap(p.pend), need, 256), MaxLine)
	nb := make([]byte, len(p.pend), nc)
	copy(nb, p.pend)
	p.pend = nb
}

// flushPending ends the line under way, at the end of the stream or at a newline: the
// partial line, if any, is emitted as its last piece and emptied, releasing a buffer
// that a long line made large.
func (p *pump) flushPending() {
	p.emitEnd(p.pend, false)
	if cap(p.pend) > keepPending {
		p.pend = nil
	} else {
		p.pend = p.pend[:0]
	}
}

// emitEnd emits line as the last piece of its line: as Newline, or as PauseEnd when it
// is empty and the line was emitted in Pause pieces already. An empty piece of a line
// never paused is an empty line if its newline came, and nothing at the end of a stream.
func (p *pump) emitEnd(line []byte, newline bool) {
	switch {
	case len(line) > 0 || newline && !p.paused:
		p.emit(line, Newline)
	case p.paused:
		p.emit(nil, PauseEnd)
	}
	p.paused = false
}

// pausePending emits the partial line, if any, as a Pause piece: idle has passed
// without more bytes. The line stays under way; its buffer is given back, since the
// pump is idle now.
func (p *pump) pausePending() {
	if len(p.pend) > 0 {
		p.emit(p.pend, Pause)
		p.paused = true
	}
	p.pend = nil
}

// flushed tells the sink that the lines of one read have all been emitted.
func (p *pump) flushed() {
	if p.flush != nil {
		p.flush()
	}
}
