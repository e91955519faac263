package statusfs

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"svman/internal/testkit"
)

func countFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(ents)
}

func TestRepairNoFDLeak(t *testing.T) {
	path := filepath.Join(t.TempDir(), "status", "mod")
	cycle := func() {
		d, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		remove(t, d, "control", "ok", "lock")
		repair(t, d, "lock", "control", "ok")
		if err := os.RemoveAll(path); err != nil {
			t.Fatal(err)
		}
		repair(t, d, "directory", "lock", "control", "ok")
		repair(t, d)
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
	cycle() // let the runtime open whatever it opens once (epoll, ...)
	start := countFDs(t)
	cycle()
	if n := countFDs(t); n != start {
		t.Errorf("%d descriptors open after Open, Repairs and Close, %d before", n, start)
	}
}

// Repair from one goroutine, writes and logs from another, and a reader polling
// TryReadControl all along: every command arrives exactly once, with no data race.
func TestRepairConcurrent(t *testing.T) {
	d := openTemp(t)
	const rounds = 30
	got := make(chan byte, rounds)
	readDone := make(chan error, 1)
	go func() {
		buf := make([]byte, 8)
		for {
			var n int
			var err error
			testkit.Poll(func() bool {
				n, err = d.TryReadControl(buf)
				return n > 0 || err != nil
			})
			for _, b := range buf[:n] {
				got <- b
			}
			if err != nil {
				readDone <- err
				return
			}
		}
	}()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			d.WriteStatus(Status{Want: WantUp})
			d.Notice("round")
		}
	})
	for range rounds {
		if err := SendControl(d.Path(), []byte("u")); err != nil {
			t.Fatal(err)
		}
		remove(t, d, "control")
		repair(t, d, "control")
	}
	close(stop)
	wg.Wait()
	for i := range rounds {
		select {
		case b := <-got:
			if b != 'u' {
				t.Fatalf("read %q", b)
			}
		case <-testkit.Within():
			t.Fatalf("got %d commands of %d", i, rounds)
		}
	}
	d.Close()
	select {
	case err := <-readDone:
		if !errors.Is(err, os.ErrClosed) {
			t.Errorf("reader ended with %v, want os.ErrClosed", err)
		}
	case <-testkit.Within():
		t.Fatal("reader did not end after Close")
	}
	if len(got) != 0 {
		t.Errorf("%d extra commands", len(got))
	}
}
