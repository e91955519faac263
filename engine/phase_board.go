package engine

import "sync"

// board is where supervisors publish their phases for the engine's goroutine.
// A supervisor never waits for the engine: publishing takes a short lock and
// a send that does not block. The engine takes what changed since its last
// look (take) and keeps the whole picture itself, so that a look costs what
// changed, not the number of modules.
type board struct {
	mu      sync.Mutex
	last    map[string]phase  // the phase each module published last
	pending map[string]*phase // changed since the engine's last take; nil: the module is gone
	spare   map[string]*phase // an emptied pending, for the next take
	changed chan struct{}     // buffer of one: "look again"
}

func newBoard() *board {
	return &board{
		last:    make(map[string]phase),
		pending: make(map[string]*phase),
		spare:   make(map[string]*phase),
		changed: make(chan struct{}, 1),
	}
}

// set publishes the phase of module name, and tells the engine if it changed.
func (b *board) set(name string, p phase) {
	b.mu.Lock()
	if old, ok := b.last[name]; ok && old == p {
		b.mu.Unlock()
		return
	}
	b.last[name] = p
	b.pending[name] = &p
	b.mu.Unlock()
	b.poke()
}

// drop forgets module name once its supervisor has ended.
func (b *board) drop(name string) {
	b.mu.Lock()
	delete(b.last, name)
	b.pending[name] = nil
	b.mu.Unlock()
	b.poke()
}

func (b *board) poke() {
	select {
	case b.changed <- struct{}{}:
	default:
	}
}

// take applies to phases what changed since the last take.
func (b *board) take(phases map[string]phase) {
	b.mu.Lock()
	taken := b.pending
	b.pending, b.spare = b.spare, nil
	b.mu.Unlock()
	for name, p := range taken {
		if p == nil {
			delete(phases, name)
		} else {
			phases[name] = *p
		}
	}
	clear(taken)
	b.mu.Lock()
	b.spare = taken
	b.mu.Unlock()
}
