package logmux

// Batch is a batch of lines from one read of one stream of a module: Pump emits
// the lines of a read one by one, and a sink that takes them together (the
// asynchronous Console) pays its per-batch costs (a copy, a queue hand-off, a
// clock read) once per read instead of once per line. The zero value is empty.
type Batch struct {
	buf   []byte
	ends  []int  // where each line ends in buf
	conts []bool // whether each line is a piece of a longer one
}

// Add appends a copy of line (cont as Pump's emit says).
func (l *Batch) Add(line []byte, cont bool) {
	l.buf = append(l.buf, line...)
	l.ends = append(l.ends, len(l.buf))
	l.conts = append(l.conts, cont)
}

// Len is how many lines the batch holds.
func (l *Batch) Len() int { return len(l.ends) }

// Bytes is how many bytes its lines hold, newlines not counted.
func (l *Batch) Bytes() int { return len(l.buf) }

// Reset empties the batch, keeping its memory unless a long line made it large.
func (l *Batch) Reset() {
	if cap(l.buf) > keepBuf {
		*l = Batch{}
		return
	}
	l.buf, l.ends, l.conts = l.buf[:0], l.ends[:0], l.conts[:0]
}

// Each calls f for every line in order. The slices are valid only during f.
func (l *Batch) Each(f func(line []byte, cont bool)) {
	start := 0
	for i, end := range l.ends {
		f(l.buf[start:end], l.conts[i])
		start = end
	}
}
