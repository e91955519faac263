package statusfs

import (
	"fmt"
	"sync"
	"testing"
)

// BenchmarkWriteStatus measures the status write on the restart path: status.new
// written, fsync'd and renamed over status.
func BenchmarkWriteStatus(b *testing.B) {
	d, err := Open(b.TempDir() + "/status/mod")
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	for i := 0; i < b.N; i++ {
		if err := d.WriteStatus(Status{Want: WantUp, PID: i}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNotice measures one supervise.log line: open, append, close.
func BenchmarkNotice(b *testing.B) {
	d, err := Open(b.TempDir() + "/status/mod")
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	for i := 0; i < b.N; i++ {
		d.Notice("mod (pid %d) exited", i)
	}
}

// BenchmarkWriteState measures a write without fsync (state.json.new written
// and renamed over state.json), where reaching the directory weighs most.
func BenchmarkWriteState(b *testing.B) {
	d, err := Open(b.TempDir() + "/status/mod")
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	for i := 0; i < b.N; i++ {
		if err := d.WriteState(State{State: RunUp, Restarts: i}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteStatusBurst measures 1000 modules that write their status and
// a supervise.log line at once, as at a shutdown: DirOpsAtOnce of them at a
// time, the others waiting for their turn.
func BenchmarkWriteStatusBurst(b *testing.B) {
	root := b.TempDir() + "/status/"
	ds := make([]*Dir, 1000)
	for i := range ds {
		d, err := Open(root + fmt.Sprint(i))
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		ds[i] = d
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		for _, d := range ds {
			wg.Go(func() {
				if err := d.WriteStatus(Status{Want: WantUp, PID: i + 1}); err != nil {
					b.Error(err)
				}
				d.Notice("stopped")
			})
		}
		wg.Wait()
	}
}
