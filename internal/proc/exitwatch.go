package proc

import (
	"reflect"
	"sync"
	"sync/atomic"
)

// exitShardSize is how many exit channels one goroutine of an exitWatch waits
// on: enough that the goroutines cost little per child, few enough that a
// wake-up, which sets the select up again, stays cheap.
const exitShardSize = 64

// exitWatch calls a function with a child's exit without a goroutine per
// child: the reaper's exit channel of each child waits, with up to
// exitShardSize-1 others, in the select of one of the watch's goroutines
// (shards), which hands the exit to the child's function. A thousand idle
// modules cost 16 goroutines, not a thousand.
type exitWatch struct {
	mu     sync.Mutex // guards shards and closed; held to add
	shards []*exitShard
	closed bool
	wg     sync.WaitGroup // the shards' goroutines
}

// exitShard is one goroutine of an exitWatch and what it waits on.
type exitShard struct {
	adds  chan exitWait // to the goroutine; closed by close
	count atomic.Int32  // channels given to it whose exit has not come
}

// exitWait is one child's exit channel and what to call with its exit.
type exitWait struct {
	c      <-chan ExitStatus
	exited func(ExitStatus)
}

// add has exited called, once, from one of the watch's goroutines, with what c
// receives. exited must not block (the shard's other children wait
// meanwhile) nor add. After close, add does nothing.
func (w *exitWatch) add(c <-chan ExitStatus, exited func(ExitStatus)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	var sh *exitShard
	for _, s := range w.shards {
		if s.count.Load() < exitShardSize-1 { // its first case is adds
			sh = s
			break
		}
	}
	if sh == nil {
		sh = &exitShard{adds: make(chan exitWait, exitShardSize)}
		w.shards = append(w.shards, sh)
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			sh.run()
		}()
	}
	sh.count.Add(1)
	sh.adds <- exitWait{c, exited} // never waits: the shard has room for it
}

// close stops the watch's goroutines; the exits still to come are not handed
// on. It returns once they are gone.
func (w *exitWatch) close() {
	w.mu.Lock()
	w.closed = true
	for _, sh := range w.shards {
		close(sh.adds)
	}
	w.mu.Unlock()
	w.wg.Wait()
}

// run waits for the exits of the channels it is given, until adds is closed.
func (sh *exitShard) run() {
	cases := []reflect.SelectCase{{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(sh.adds)}}
	fns := []func(ExitStatus){nil}
	for {
		i, v, ok := reflect.Select(cases)
		if i == 0 {
			if !ok {
				return
			}
			// Every add queued now, before the select is set up again: each
			// setup makes garbage in proportion to the cases.
			for a, more := v.Interface().(exitWait), true; more; {
				cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(a.c)})
				fns = append(fns, a.exited)
				select {
				case a, more = <-sh.adds:
				default:
					more = false
				}
			}
			continue
		}
		fn := fns[i]
		last := len(cases) - 1
		cases[i], fns[i] = cases[last], fns[last]
		cases, fns = cases[:last], fns[:last]
		sh.count.Add(-1)
		if ok { // the reaper sends once and never closes
			fn(v.Interface().(ExitStatus))
		}
	}
}
