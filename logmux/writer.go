package logmux

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// writer is the goroutine of an asynchronous Console: it alone writes to the
// console, so a console that blocks holds up nobody but it.
//
// The producers (the modules' pumps, svman's own events) format their lines and
// queue them; queueing never waits, so a producer that holds something others
// need (a module's console gate, the supervisor's step) is never held up by the
// console. A module's pump paces itself instead, between two reads of its pipe and
// holding nothing: while the console takes what it is given and the module's
// lines fill the queue, pace waits for room. So every line is shown, in order, and
// a module that writes faster than the console takes lines goes at the console's
// pace, as it would writing to that console itself; its supervisor never does.
// When one write to the console has made no progress for stallAfter (a stopped
// pager, a terminal held by Ctrl-S, a pipe whose reader stopped reading), the
// console is stalled until that write returns: pace then returns at once, lines
// that find the queue full are dropped from the console (the log files have them
// all), and the first line of their module shown afterwards says how many were not
// shown. A module therefore waits on a console that stopped at most once per stall,
// for at most stallAfter, and only if its lines filled the queue meanwhile. A
// regular file never stalls: a write to it waits only for the disk, as the log
// files' writes do, so it gets every line.
type writer struct {
	c         *Console
	perModule int32
	canStall  bool         // the console may wait on a reader: not a regular file
	stall     *time.Timer  // stallAfter into a write: stallCheck; nil unless canStall
	dropped   atomic.Int64 // lines not shown since the console was made (Console.Dropped)

	mu      sync.Mutex // guards the fields below
	q       []entry    // a ring of batches waiting, oldest at head; grows past queueEntries only between paces
	head, n int
	bytes   int // of the lines in q, at most MaxQueued (but for one larger batch)
	closed  bool
	writing time.Time     // when the write under way began; zero between writes
	stalled bool          // the write under way has made no progress for stallAfter
	room    chan struct{} // closed, and replaced, when producers waiting for room should look again

	ready chan struct{} // one token: q is no longer empty, or closed is set
	done  chan struct{}
	buf   []byte  // owned by the goroutine
	taken []entry // owned by the goroutine
}

// stallAfter is how long a write to the console may make no progress before the
// console counts as stalled and producers stop waiting for it. Long enough that a
// reader that keeps reading is not taken for one that stopped while it waits for a
// CPU or for its own disk on a loaded machine (with 250 ms, lines were dropped on
// their way to a cat copying the console into a file, on 2 cores with a load
// average of 30); short enough to be a hiccup for a module writing flat out.
const stallAfter = time.Second

// writeChunk bounds one write to the console (but for a longer line), so that
// progress is seen at least every writeChunk bytes: a slow reader that keeps
// reading is not taken for a stall.
const writeChunk = 64 << 10

// MaxQueued bounds the bytes of all the lines waiting for an asynchronous
// Console, whatever the modules and their Buffer: a flood from many modules at
// once costs at most this much memory.
const MaxQueued = 64 << 20

// queueEntries is the room in the writer's queue, in batches: a module writing
// fast makes one batch per pipeful read, one writing slowly one per line. The
// queue grows past it only by what producers hand over between two paces.
const queueEntries = 4096

// entry is a batch of lines waiting to be written, already formatted.
type entry struct {
	m      *module
	data   []byte // the lines, prefixes and newlines included; from freeBatches
	n      int32  // how many lines
	prefix []byte // their prefix, for a notice of lines not shown before them; from prefixes
}

func newWriter(c *Console, perModule int) *writer {
	w := &writer{
		c:         c,
		perModule: int32(perModule),
		canStall:  !isRegularFile(c.w),
		q:         make([]entry, queueEntries),
		room:      make(chan struct{}),
		ready:     make(chan struct{}, 1),
		done:      make(chan struct{}),
	}
	if w.canStall {
		w.stall = time.AfterFunc(time.Hour, w.stallCheck)
		w.stall.Stop()
	}
	go w.run()
	return w
}

// isRegularFile reports whether w is a regular file.
func isRegularFile(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode().IsRegular()
}

// enqueue hands a formatted batch of n lines of module m to the writer, which
// takes ownership of data and prefix. It never waits. The batch is queued, past
// the queue's bounds if need be (pace holds its producer to them), unless the
// console is stalled and it has no room: then its lines are counted as not shown.
// svman's own lines are queued while the ring has room, stalled or not. After
// Close, lines are dropped.
func (w *writer) enqueue(m *module, data []byte, n int32, prefix []byte) {
	own := m.name == SystemName
	w.mu.Lock()
	if w.closed || w.stalled && !w.fits(m, n, len(data)) && !(own && w.n < queueEntries) {
		w.mu.Unlock()
		m.dropped.Add(int64(n))
		w.dropped.Add(int64(n))
		giveBack(data, prefix)
		return
	}
	if w.n == len(w.q) {
		w.grow()
	}
	w.q[(w.head+w.n)%len(w.q)] = entry{m: m, data: data, n: n, prefix: prefix}
	w.n++
	w.bytes += len(data)
	m.queued += n
	w.mu.Unlock()
	select {
	case w.ready <- struct{}{}:
	default: // the writer has a token already
	}
}

// Dropped is how many lines of modules the Console has not shown since it was
// made, for a queue that was full: safe to call from any goroutine; always 0
// for a synchronous Console, which shows every line.
func (c *Console) Dropped() int64 {
	if c.async == nil {
		return 0
	}
	return c.async.dropped.Load()
}

// Pace waits, for an asynchronous Console, while the lines of module name fill
// its queue and the console takes lines; it returns at once when the console
// stalls (see writer). A module's pump calls it between two reads of the
// module's pipe, holding nothing: WriteLines itself never waits.
func (c *Console) Pace(name string) {
	if c.async == nil {
		return
	}
	c.mu.Lock()
	m := c.lookup(name)
	c.mu.Unlock()
	c.async.pace(m)
}

// grow doubles the ring, keeping its order. The caller holds w.mu.
func (w *writer) grow() {
	q := make([]entry, 2*len(w.q))
	for i := range w.n {
		q[i] = w.q[(w.head+i)%len(w.q)]
	}
	w.q, w.head = q, 0
}

// pace waits while module m's lines fill the queue and the console takes lines:
// how a module that writes faster than the console goes at its pace. It returns
// at once once the console is stalled, or closed. The caller holds nothing that
// anyone else waits for.
func (w *writer) pace(m *module) {
	w.mu.Lock()
	for !w.closed && !w.stalled && !w.fits(m, 0, 0) {
		room := w.room
		w.mu.Unlock()
		<-room
		w.mu.Lock()
	}
	w.mu.Unlock()
}

// fits reports whether a batch of n lines, size bytes, of module m has room in the
// queue; a batch larger than the limits is let into an empty queue. The caller
// holds w.mu.
func (w *writer) fits(m *module, n int32, size int) bool {
	return w.n < queueEntries &&
		(m.queued+n <= w.perModule || m.queued == 0) &&
		(w.bytes+size <= MaxQueued || w.bytes == 0)
}

// wake tells the producers waiting for room to look again. The caller holds w.mu.
func (w *writer) wake() {
	close(w.room)
	w.room = make(chan struct{})
}

func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		w.wake()
	}
	w.mu.Unlock()
	select {
	case w.ready <- struct{}{}:
	default:
	}
	<-w.done
}

// batchBytes bounds how much the writer gathers for one Write: enough that a
// flood of short lines costs a few system calls, not one per line.
const batchBytes = 256 << 10

func (w *writer) run() {
	defer close(w.done)
	for {
		taken, drained, ok := w.take()
		if !ok {
			return
		}
		c := w.c
		if w.buf == nil {
			// Room for batchBytes and the batch that passes it: the buffer is
			// allocated once, not grown by appends at every write.
			w.buf = make([]byte, 0, 2*batchBytes)
		}
		b := w.buf[:0]
		for i := range taken {
			b = w.add(b, taken[i])
			taken[i] = entry{}
		}
		if drained {
			// The queue is drained: say what modules that went quiet lost.
			c.mu.Lock()
			for _, m := range c.mods {
				if n := m.dropped.Swap(0); n > 0 {
					b = c.appendLine(b, m, System, dropNotice(m.name, n), c.now())
				}
			}
			c.mu.Unlock()
		}
		w.write(b)
		if cap(b) > 2*batchBytes {
			b = nil // one huge batch made it large
		}
		w.buf = b
	}
}

// take waits for batches and takes them off the queue, oldest first, up to about
// batchBytes; drained says none is left. It reports false once the writer is
// closed and the queue empty.
func (w *writer) take() (taken []entry, drained, ok bool) {
	w.mu.Lock()
	for w.n == 0 && !w.closed {
		w.mu.Unlock()
		<-w.ready
		w.mu.Lock()
	}
	defer w.mu.Unlock()
	if w.n == 0 {
		return nil, true, false
	}
	taken, size := w.taken[:0], 0
	for w.n > 0 && size < batchBytes {
		e := w.q[w.head]
		w.q[w.head] = entry{}
		w.head = (w.head + 1) % len(w.q)
		w.n--
		w.bytes -= len(e.data)
		e.m.queued -= e.n
		size += len(e.data)
		taken = append(taken, e)
	}
	w.taken = taken
	w.wake()
	return taken, w.n == 0, true
}

// write writes b, whole lines, to the console in pieces of about writeChunk bytes
// that end at the end of a line, each watched by the stall timer. A console that
// fails (its reader gone) takes nothing more of b.
func (w *writer) write(b []byte) {
	for len(b) > 0 {
		chunk := b[:chunkEnd(b)]
		if w.canStall {
			w.mu.Lock()
			w.writing = time.Now()
			w.mu.Unlock()
			w.stall.Reset(stallAfter)
		}
		n, err := w.c.w.Write(chunk) // outside the lock: a blocked console blocks no producer
		if w.canStall {
			w.stall.Stop()
			w.mu.Lock()
			w.writing, w.stalled = time.Time{}, false
			w.mu.Unlock()
		}
		if err != nil {
			return
		}
		b = b[n:]
	}
}

// chunkEnd is where the first piece of b to write ends: after the last line that
// ends within writeChunk bytes, or after the first line if it is longer, so that a
// line is never split between two writes.
func chunkEnd(b []byte) int {
	if len(b) <= writeChunk {
		return len(b)
	}
	if i := bytes.LastIndexByte(b[:writeChunk], '\n'); i >= 0 {
		return i + 1
	}
	if i := bytes.IndexByte(b[writeChunk:], '\n'); i >= 0 {
		return writeChunk + i + 1
	}
	return len(b)
}

// stallCheck runs stallAfter into a write: if that write is still under way, the
// console is stalled, and the producers waiting for room stop waiting.
func (w *writer) stallCheck() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.writing.IsZero() || w.stalled {
		return
	}
	if left := stallAfter - time.Since(w.writing); left > 0 {
		w.stall.Reset(left) // the timer of an earlier write, stopped too late
		return
	}
	w.stalled = true
	w.wake()
}

// add appends one queued batch, after the notice of what its module lost before
// it, if anything, and gives its buffers back.
func (w *writer) add(b []byte, e entry) []byte {
	if n := e.m.dropped.Swap(0); n > 0 && w.c.json {
		b = dropNoticeJSON(b, e.m.name, n)
	} else if n > 0 {
		b = append(b, e.prefix...)
		b = appendText(b, dropNotice(e.m.name, n), false)
	}
	b = append(b, e.data...)
	giveBack(e.data, e.prefix)
	return b
}

func dropNotice(name string, n int64) []byte {
	if name == SystemName {
		return fmt.Appendf(nil, "[svman: %d lines not shown]", n)
	}
	return fmt.Appendf(nil, "[svman: %d lines not shown, see svman logs %s]", n, name)
}
