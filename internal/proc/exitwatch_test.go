package proc

import (
	"runtime"
	"sync"
	"testing"

	"svman/internal/testkit"
)

// The exits of many children reach their functions, each once, from a few
// goroutines: one per exitShardSize-1 children waiting, not one per child.
// close ends them.
func TestExitWatchTellsEveryExitFromFewGoroutines(t *testing.T) {
	const n = 3*exitShardSize + 5
	before := runtime.NumGoroutine()
	var w exitWatch
	var mu sync.Mutex
	got := map[int]int{}
	chans := make([]chan ExitStatus, n)
	for i := range chans {
		chans[i] = make(chan ExitStatus, 1)
		w.add(chans[i], func(st ExitStatus) {
			mu.Lock()
			defer mu.Unlock()
			got[st.PID]++
		})
	}
	if g := runtime.NumGoroutine() - before; g > n/(exitShardSize-1)+1 {
		t.Errorf("%d goroutines wait for %d exits, want at most %d", g, n, n/(exitShardSize-1)+1)
	}
	for i := n - 1; i >= 0; i-- { // in another order than added
		chans[i] <- ExitStatus{PID: i}
	}
	testkit.WaitFor(t, "every exit told", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == n
	})
	mu.Lock()
	for pid, k := range got {
		if k != 1 {
			t.Errorf("exit of %d told %d times, want once", pid, k)
		}
	}
	mu.Unlock()
	// Room freed by exits is used again.
	c := make(chan ExitStatus, 1)
	told := make(chan ExitStatus, 1)
	w.add(c, func(st ExitStatus) { told <- st })
	c <- ExitStatus{PID: -1}
	if st := <-told; st.PID != -1 {
		t.Errorf("told %+v, want pid -1", st)
	}
	w.close()
	testkit.WaitFor(t, "the watch's goroutines gone", func() bool { return runtime.NumGoroutine() <= before })
	w.add(make(chan ExitStatus), func(ExitStatus) {}) // after close: nothing
}
