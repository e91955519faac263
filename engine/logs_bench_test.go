package engine

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"svman/logmux"
	"svman/manifest"
)

// BenchmarkLogThroughput is 4 modules × 250,000 lines written as fast as they can,
// from the first start to every line in the module's log file (with timestamps),
// with the console going to /dev/null as `svman up > /dev/null` would. It reports
// lines and megabytes per second into the files.
func BenchmarkLogThroughput(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		status := b.TempDir()
		console := logmux.NewConsole(io.Discard, logmux.Options{Buffer: 4096, Timestamps: true})
		ev := &events{}
		e, err := New(Config{Reaper: testReaper, Output: console, Events: ev.add})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { e.Run(ctx); close(done) }()
		h := &harness{status: status}
		mods := lineWriters(h)
		b.StartTimer()
		start := time.Now()
		if _, err := e.Apply(&manifest.Manifest{StatusDir: status, Modules: mods}); err != nil {
			b.Fatal(err)
		}
		for _, m := range mods {
			for ev.count(m.Name, Exited) == 0 {
				time.Sleep(time.Millisecond) // a benchmark's poll: the clock is what is measured
			}
		}
		cancel()
		<-done // every file flushed and closed
		elapsed := time.Since(start)
		b.StopTimer()
		console.Close()
		var bytes int64
		for _, m := range mods {
			fi, err := os.Stat(filepath.Join(status, m.Name, "__stdout"))
			if err != nil {
				b.Fatal(err)
			}
			bytes += fi.Size()
		}
		lines := float64(len(mods) * linesPerModule)
		b.ReportMetric(lines/elapsed.Seconds(), "lines/s")
		b.ReportMetric(float64(bytes)/1e6/elapsed.Seconds(), "MB/s")
	}
}
