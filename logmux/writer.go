package logmux

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// writer is the goroutine of an asynchronous Console: it alone writes to the
// console, so a terminal that blocks holds up nobody but it.
type writer struct {
	c         *Console
	perModule int32
	q         chan entry
	done      chan struct{}

	bytes atomic.Int64 // of the lines queued, at most MaxQueued

	mu     sync.RWMutex // guards closed against sends on a closed q
	closed bool

	buf []byte // owned by the goroutine
}

// MaxQueued bounds the bytes of all the lines waiting for an asynchronous
// Console, whatever the modules and their Buffer: a flood from many modules at
// once costs at most this much memory, and the excess is dropped from the console.
const MaxQueued = 64 << 20

// queueEntries is the room in the writer's queue, in batches: a module writing
// fast makes one batch per pipeful read, one writing slowly one per line.
const queueEntries = 4096

// entry is a batch of lines waiting to be written, already formatted.
type entry struct {
	m      *module
	data   []byte // the lines, prefixes and newlines included; from freeBatches
	n      int32  // how many lines
	prefix []byte // their prefix, for a notice of lines not shown before them; from prefixes
}

// freeBatches keeps the buffers of formatted batches for the next ones. A
// sync.Pool is emptied by every collection, and modules writing as fast as they
// can make collections frequent: each batch then cost a new buffer, zeroed, and
// more garbage to collect. 64 buffers of about a pipeful each hold 5 MiB at most,
// and only after a burst.
var freeBatches = make(chan []byte, 64)

// prefixes hold the prefixes of queued batches: small, and pooled as usual.
var prefixes = sync.Pool{New: func() any { return new([]byte) }}

// takeBuf is an empty buffer with room for need bytes, for a formatted batch.
func (w *writer) takeBuf(need int) []byte {
	select {
	case b := <-freeBatches:
		if cap(b) >= need {
			return b[:0]
		}
	default:
	}
	return make([]byte, 0, need)
}

// prefix is an empty buffer for a batch's prefix.
func (w *writer) prefix() []byte { return (*prefixes.Get().(*[]byte))[:0] }

// giveBack returns a batch's buffers, unless one huge batch made its data large.
func giveBack(data, prefix []byte) {
	if cap(data) <= batchBytes {
		select {
		case freeBatches <- data:
		default:
		}
	}
	prefixes.Put(&prefix)
}

func newWriter(c *Console, perModule int) *writer {
	w := &writer{c: c, perModule: int32(perModule), q: make(chan entry, queueEntries), done: make(chan struct{})}
	go w.run()
	return w
}

// enqueue hands a formatted batch of n lines to the writer, which takes
// ownership of data and prefix, or counts the lines as not shown when the module
// has too many lines waiting or the queue is full. It never blocks: a console
// that cannot keep up never slows a module down (the log files have every line).
func (w *writer) enqueue(m *module, data []byte, n int32, prefix []byte) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	// A batch larger than the limit is admitted into an empty queue.
	q := m.queued.Add(n)
	size := w.bytes.Add(int64(len(data)))
	if w.closed || (q > w.perModule && q != n) || (size > MaxQueued && size != int64(len(data))) {
		w.drop(m, data, n, prefix)
		return
	}
	select {
	case w.q <- entry{m: m, data: data, n: n, prefix: prefix}:
	default:
		w.drop(m, data, n, prefix)
	}
}

// drop counts a batch as not shown and gives its buffers back.
func (w *writer) drop(m *module, data []byte, n int32, prefix []byte) {
	m.queued.Add(-n)
	w.bytes.Add(-int64(len(data)))
	m.dropped.Add(int64(n))
	giveBack(data, prefix)
}

func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.q)
	}
	w.mu.Unlock()
	<-w.done
}

// batchBytes bounds how much the writer gathers for one Write: enough that a
// flood of short lines costs a few system calls, not one per line.
const batchBytes = 256 << 10

func (w *writer) run() {
	defer close(w.done)
	for e := range w.q {
		c := w.c
		if w.buf == nil {
			// Room for batchBytes and the batch that passes it: the buffer is
			// allocated once, not grown by appends at every write.
			w.buf = make([]byte, 0, 2*batchBytes)
		}
		b := w.add(w.buf[:0], e)
		// Gather what else is queued into the same Write.
	gather:
		for len(b) < batchBytes {
			select {
			case e, ok := <-w.q:
				if !ok {
					break gather
				}
				b = w.add(b, e)
			default:
				break gather
			}
		}
		if len(w.q) == 0 {
			// The queue is drained: say what modules that went quiet lost.
			c.mu.Lock()
			for _, m := range c.mods {
				if n := m.dropped.Swap(0); n > 0 {
					b = c.appendLine(b, m, System, dropNotice(m.name, n), c.now())
				}
			}
			c.mu.Unlock()
		}
		_, _ = c.w.Write(b) // outside the lock: a blocked terminal blocks no producer
		if cap(b) > 2*batchBytes {
			b = nil // one huge batch made it large
		}
		w.buf = b
	}
}

// add appends one queued batch, after the notice of what its module lost before
// it, if anything, and gives its buffers back.
func (w *writer) add(b []byte, e entry) []byte {
	e.m.queued.Add(-e.n)
	w.bytes.Add(-int64(len(e.data)))
	if n := e.m.dropped.Swap(0); n > 0 {
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
