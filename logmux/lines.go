package logmux

import (
	"os"
	"svman/internal/fdwatch"
	"sync"
	"syscall"
	"time"
)

// maxReadsPerService bounds the reads of one Service call, so that a child that
// writes without pause does not keep one caller busy for ever: the caller is told
// again at once that more is there.
const maxReadsPerService = 16

// Lines cuts the output of a pipe into lines (see pump), for a caller that learns
// itself when the pipe is readable (one epoll instance for many pipes). Each
// Service call reads what r holds, without waiting, and emits its lines: whole
// lines, MaxLine pieces, a partial line after idle without more bytes (from a
// timer that exists only while a partial line is pending), and flush after each
// read's lines.
//
// Service, Finish and the idle timer may run in any goroutines; Lines
// serializes them, so emit and flush are never called concurrently.
type Lines struct {
	mu       sync.Mutex // guards everything below; held while emitting
	r        *os.File
	rc       syscall.RawConn
	p        pump
	timer    *time.Timer // the idle flush; nil until a partial line first waits
	lastRead time.Time
	done     bool
}

// NewLines returns the Lines of r, a pipe's non-blocking read end (in the
// runtime poller, as os.Pipe makes them, or not: Lines never waits there). It
// neither reads nor closes r; see Service and Finish.
func NewLines(r *os.File, idle time.Duration, emit func(line []byte, end End), flush func()) (*Lines, error) {
	rc, err := r.SyscallConn()
	if err != nil {
		return nil, err
	}
	return &Lines{r: r, rc: rc, p: pump{r: r, idle: idle, emit: emit, flush: flush}}, nil
}

// FD is r's descriptor, for registering with a poller. It stays r's: never close
// it or make it blocking.
func (l *Lines) FD() int {
	var n int
	_ = l.rc.Control(func(fd uintptr) { n = int(fd) })
	return n
}

// Service reads what r holds now and emits its lines. It reports true at end of
// file or on a read error, once the pending partial line has been emitted: the
// stream is over, and the caller closes r. It reports false when r has nothing
// more for now: call it again when r is readable.
func (l *Lines) Service() (over bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return true
	}
	for range maxReadsPerService {
		n, err := l.readOnce()
		switch {
		case err == syscall.EAGAIN:
			l.armIdle()
			return false
		case err != nil || n == 0:
			l.finish()
			return true
		}
	}
	l.armIdle()
	return false
}

// readOnce reads once, without waiting, into a pooled buffer and feeds the lines.
func (l *Lines) readOnce() (int, error) {
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	n, rerr, err := fdwatch.ReadNow(l.rc, *bp)
	if err != nil {
		return 0, err
	}
	if rerr != nil {
		return 0, rerr
	}
	if n > 0 {
		l.lastRead = time.Now()
		l.p.feed((*bp)[:n])
		l.p.flushed()
	}
	return n, nil
}

// Finish ends the stream where it stands: the pending partial line is emitted and
// the idle timer stopped; Service reports true from then on. The owner calls it
// when it gives up on a pipe that something else still holds open.
func (l *Lines) Finish() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.finish()
}

func (l *Lines) finish() {
	if l.done {
		return
	}
	l.done = true
	l.p.flushPending()
	l.p.flushed()
	if l.timer != nil {
		l.timer.Stop()
	}
}

// armIdle starts the idle flush when a partial line waits for its newline, and
// stops it when none does.
func (l *Lines) armIdle() {
	if l.p.idle <= 0 {
		return
	}
	if len(l.p.pend) == 0 {
		if l.timer != nil {
			l.timer.Stop()
		}
		return
	}
	if l.timer == nil {
		l.timer = time.AfterFunc(l.p.idle, l.idleFlush)
		return
	}
	l.timer.Reset(l.p.idle)
}

// idleFlush shows the partial line once idle has passed without more bytes. A
// read that came after the timer fired (and before the lock) pushes it back.
func (l *Lines) idleFlush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done || len(l.p.pend) == 0 {
		return
	}
	if wait := l.p.idle - time.Since(l.lastRead); wait > 0 {
		l.timer.Reset(wait)
		return
	}
	l.p.pausePending() // idle: gives back the partial-line buffer too
	l.p.flushed()
}
