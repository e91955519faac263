package logmux

import "sync"

// Batch is a batch of lines from one read of one stream of a module: Lines emits
// the lines of a read one by one, and a sink that takes them together (the
// asynchronous Console) pays its per-batch costs (a copy, a queue hand-off, a
// clock read) once per read instead of once per line. The zero value is empty.
type Batch struct {
	mem   *batchMem // where buf, ends and conts came from; nil while small
	buf   []byte
	ends  []int  // where each line ends in buf
	conts []bool // whether each line is a piece of a longer one
	// PID is the child that wrote the lines, for a JSON console; 0: not known.
	PID int
	// Parse: a JSON console keeps a line that is a JSON object as one, under
	// the record's "json" (the module's log block says parse = "json").
	Parse bool
}

// batchMem is the memory of a large batch, taken when it passes smallBatch and
// given back at Reset: a batch lives only from a read to its flush, so a thousand
// quiet modules hold none of it, and a module writing as fast as it can does not
// grow a new buffer, append by append, for every pipeful.
type batchMem struct {
	buf   []byte
	ends  []int
	conts []bool
}

// batchRoom is the room a batch starts with: a whole pipeful read (64 KiB) of
// lines, and the partial line carried over from the read before.
const batchRoom = 64<<10 + MaxLine

// batchLines is the room for line ends it starts with: a pipeful of 64-byte lines.
const batchLines = 1024

var batchPool = sync.Pool{New: func() any {
	return &batchMem{
		buf:   make([]byte, 0, batchRoom),
		ends:  make([]int, 0, batchLines),
		conts: make([]bool, 0, batchLines),
	}
}}

// smallBatch is how large a batch grows by appends before it moves into pooled
// memory: a read of a line or two, the common case of a quiet module, takes
// nothing from the pool and keeps its small buffer for the next read.
const smallBatch = 4 << 10

// Add appends a copy of a piece as Lines gives it: every piece is a line
// on the console, a Cut one marked as going on, but for a PauseEnd, which adds
// nothing (the console showed its line in the Pause pieces before).
func (l *Batch) Add(line []byte, end End) {
	if end == PauseEnd {
		return
	}
	l.add(line, end == Cut)
}

// add appends a copy of line; cont marks it as going on in the next one.
func (l *Batch) add(line []byte, cont bool) {
	if l.mem == nil && len(l.buf)+len(line) > smallBatch {
		l.mem = batchPool.Get().(*batchMem)
		l.buf = append(l.mem.buf[:0], l.buf...)
		l.ends = append(l.mem.ends[:0], l.ends...)
		l.conts = append(l.mem.conts[:0], l.conts...)
	}
	l.buf = append(l.buf, line...)
	l.ends = append(l.ends, len(l.buf))
	l.conts = append(l.conts, cont)
}

// Len is how many lines the batch holds.
func (l *Batch) Len() int { return len(l.ends) }

// Bytes is how many bytes its lines hold, newlines not counted.
func (l *Batch) Bytes() int { return len(l.buf) }

// Reset empties the batch. Pooled memory goes back to the pool, unless a read of
// very short lines or a long line made it large; a small batch keeps its own.
func (l *Batch) Reset() {
	if l.mem == nil && cap(l.buf) <= smallBatch {
		l.buf, l.ends, l.conts = l.buf[:0], l.ends[:0], l.conts[:0]
		return
	}
	if m := l.mem; m != nil && cap(l.buf) <= batchRoom && cap(l.ends) <= 4*batchLines {
		m.buf, m.ends, m.conts = l.buf[:0], l.ends[:0], l.conts[:0]
		batchPool.Put(m)
	}
	*l = Batch{}
}

// Each calls f for every line in order. The slices are valid only during f.
func (l *Batch) Each(f func(line []byte, cont bool)) {
	start := 0
	for i, end := range l.ends {
		f(l.buf[start:end], l.conts[i])
		start = end
	}
}
