package logmux

import (
	"fmt"
	"sync"
	"time"
)

// writer is the goroutine of an asynchronous Console: it alone writes to the
// console, so a terminal that blocks holds up nobody but it.
type writer struct {
	c         *Console
	perModule int32
	q         chan entry
	done      chan struct{}

	mu     sync.RWMutex // guards closed against sends on a closed q
	closed bool

	buf []byte // owned by the goroutine
}

// entry is one line waiting to be written, with the time it arrived.
type entry struct {
	m    *module
	s    Stream
	line []byte
	cont bool
	t    time.Time
}

func newWriter(c *Console, perModule int) *writer {
	w := &writer{c: c, perModule: int32(perModule), q: make(chan entry, 4*perModule), done: make(chan struct{})}
	go w.run()
	return w
}

// enqueue hands a line to the writer, or counts it as not shown when the module
// has too many lines waiting or the queue is full. It never blocks.
func (w *writer) enqueue(m *module, s Stream, line []byte, cont bool, t time.Time) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed || m.queued.Add(1) > w.perModule {
		m.queued.Add(-1)
		m.dropped.Add(1)
		return
	}
	select {
	case w.q <- entry{m: m, s: s, line: append([]byte(nil), line...), cont: cont, t: t}:
	default:
		m.queued.Add(-1)
		m.dropped.Add(1)
	}
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

func (w *writer) run() {
	defer close(w.done)
	for e := range w.q {
		e.m.queued.Add(-1)
		c := w.c
		c.mu.Lock()
		b := w.buf[:0]
		if n := e.m.dropped.Swap(0); n > 0 {
			b = c.appendLine(b, e.m, e.s, dropNotice(e.m.name, n), e.t)
		}
		b = c.appendEntry(b, e.m, e.s, e.line, e.cont, e.t)
		if len(w.q) == 0 {
			// The queue is drained: say what modules that went quiet lost.
			for _, m := range c.mods {
				if n := m.dropped.Swap(0); n > 0 {
					b = c.appendLine(b, m, System, dropNotice(m.name, n), c.now())
				}
			}
		}
		c.mu.Unlock()
		_, _ = c.w.Write(b) // outside the lock: a blocked terminal blocks no producer
		if cap(b) > keepBuf {
			b = nil
		}
		w.buf = b
	}
}

func dropNotice(name string, n int64) []byte {
	if name == SystemName {
		return fmt.Appendf(nil, "[svman: %d lines not shown]", n)
	}
	return fmt.Appendf(nil, "[svman: %d lines not shown, see svman logs %s]", n, name)
}
