package logfiles

import (
	"container/heap"
	"context"

	"svman/logmux"
)

// Read gives emit the lines of the modules' logs, merged in time order (equal times
// in the order of srcs, stdout before stderr), as o says. With o.Follow it then gives
// the new lines as they come and returns when ctx is done; without, it returns once
// what the files held is given. Read returns nil when ctx ends, and an error if a
// file or directory cannot be read (one that does not exist is no error). The Line
// given to emit, and its Text, are only valid during the call.
func Read(ctx context.Context, srcs []Source, o Options, emit func(Line)) error {
	ts := make([]*tailer, 0, 2*len(srcs))
	for i, src := range srcs {
		ts = append(ts,
			newTailer(src, logmux.Stdout, 2*i, o),
			newTailer(src, logmux.Stderr, 2*i+1, o))
	}
	defer func() {
		for _, t := range ts {
			t.close()
		}
	}()
	var w *watcher
	if o.Follow {
		// Watch first: what is written while the files are read is then not missed.
		var err error
		if w, err = newWatcher(ts); err != nil {
			return err
		}
		defer w.close()
	}
	for _, t := range ts {
		if err := t.start(o.Tail); err != nil {
			return err
		}
	}
	if o.Tail > 0 {
		r := newRing(o.Tail)
		if err := merge(ctx, ts, r.add); err != nil {
			return err
		}
		r.flush(emit)
	} else if err := merge(ctx, ts, emit); err != nil {
		return err
	}
	if w == nil {
		return nil
	}
	if o.Following != nil {
		o.Following()
	}
	return w.run(ctx, emit)
}

// merge gives the lines of ts in time order until none of them has one (for now).
func merge(ctx context.Context, ts []*tailer, emit func(Line)) error {
	h := make(tailHeap, 0, len(ts))
	for _, t := range ts {
		ok, err := t.next()
		if err != nil {
			return err
		}
		if ok {
			h = append(h, t)
		}
	}
	heap.Init(&h)
	for n := 1; len(h) > 0; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return nil
		}
		t := h[0]
		emit(t.head)
		ok, err := t.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return nil
}

// tailHeap orders tailers by the time of their head line, then by their order.
type tailHeap []*tailer

func (h tailHeap) Len() int { return len(h) }
func (h tailHeap) Less(i, j int) bool {
	if c := h[i].head.Time.Compare(h[j].head.Time); c != 0 {
		return c < 0
	}
	return h[i].order < h[j].order
}
func (h tailHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *tailHeap) Push(x any)   { *h = append(*h, x.(*tailer)) }
func (h *tailHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

// ring keeps copies of the last n lines added.
type ring struct {
	n     int
	lines []Line // grows to n
	next  int    // once full, the oldest line, replaced by the next one
}

func newRing(n int) *ring { return &ring{n: n} }

func (r *ring) add(l Line) {
	if len(r.lines) < r.n {
		r.lines = append(r.lines, Line{})
		r.next = len(r.lines) - 1
	}
	slot := &r.lines[r.next]
	text := slot.Text[:0]
	if cap(text) > keepPart && len(l.Text) <= keepPart {
		text = nil // do not keep a huge buffer for a small line
	}
	*slot = l
	slot.Text = append(text, l.Text...)
	r.next = (r.next + 1) % r.n
}

// flush gives the kept lines, oldest first.
func (r *ring) flush(emit func(Line)) {
	if len(r.lines) < r.n {
		r.next = 0
	}
	for _, l := range r.lines[r.next:] {
		emit(l)
	}
	for _, l := range r.lines[:r.next] {
		emit(l)
	}
}
