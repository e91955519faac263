package logfiles

import (
	"sync"
	"sync/atomic"
)

// SetMaxOpen bounds how many Files hold a descriptor at once in the process;
// 0, the default, sets no bound. svman sets it to what its open-files limit
// leaves for log files, so that a module that writes costs no more descriptors
// than one that does not. A File that must write and holds none takes a slot;
// when none is free, the least recently used other File gives its descriptor
// back: it flushes its buffer and closes its file, and opens it again (for
// appending, without OpenFile's repair of a last line without its newline) at
// its next write. No line is lost, cut or written twice by that.
//
// A lower bound is met before SetMaxOpen returns: the Files beyond it give
// their descriptors back.
func SetMaxOpen(n int) {
	openFiles.setMax(n)
}

// openFiles is the process-wide bound of SetMaxOpen.
var openFiles = newOpenLimit()

// openLimit holds a slot for each File that holds a descriptor, or is about
// to open one.
//
// Lock order: a File's mu, then openLimit's mu; never the other way round.
// Whoever waits for a slot (take) holds no File's mu, because making room
// (park) takes the mu of the File that gives its slot back. A File checks
// that it holds a slot, and opens, under its own mu, which park needs too: a
// slot taken from a File between take and that check is seen, and taken
// again.
type openLimit struct {
	clock atomic.Int64 // recency of the Files' last use: a logical clock

	mu   sync.Mutex
	max  int            // 0: no bound
	held map[*File]bool // the Files that hold a slot
}

func newOpenLimit() *openLimit { return &openLimit{held: make(map[*File]bool)} }

// touch marks f as used now, for the choice of the File that gives its slot back.
func (l *openLimit) touch(f *File) { f.used.Store(l.clock.Add(1)) }

// holds reports whether f holds a slot.
func (l *openLimit) holds(f *File) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held[f]
}

// take gives f a slot, once another File has given its own back if none is
// free. The caller holds no File's mu.
func (l *openLimit) take(f *File) {
	l.touch(f)
	l.mu.Lock()
	defer l.mu.Unlock()
	for !l.held[f] {
		if l.max == 0 || len(l.held) < l.max {
			l.held[f] = true
			return
		}
		l.parkOldest(f)
	}
}

// setMax sets the bound and makes the Files beyond it give their slots back.
func (l *openLimit) setMax(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.max = max(n, 0)
	for l.max > 0 && len(l.held) > l.max {
		l.parkOldest(nil)
	}
}

// parkOldest makes the least recently used File but keep give its slot back.
// Scanning every slot costs little beside the flush and close it causes, and
// happens only when the limit is reached. The caller holds l.mu, which is
// released meanwhile.
func (l *openLimit) parkOldest(keep *File) {
	var oldest *File
	for f := range l.held {
		if f != keep && (oldest == nil || f.used.Load() < oldest.used.Load()) {
			oldest = f
		}
	}
	l.mu.Unlock()
	oldest.park()
	l.mu.Lock()
}

// release gives f's slot back. The caller holds f.mu, and f holds no
// descriptor.
func (l *openLimit) release(f *File) {
	l.mu.Lock()
	delete(l.held, f)
	l.mu.Unlock()
}
