package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/statusfs"
)

// BenchmarkReloadLatency measures hot reload end to end, as a user sees it: from
// the rename of an edited manifest that adds one module to 100 running ones, to
// the new child's exec (svman writes the pid to status only once exec succeeded).
// Each op adds the module, then takes it away again (with SIGHUP, which applies
// a removal at once), unmeasured.
// Run it as make bench does: -benchtime=50x.
func BenchmarkReloadLatency(b *testing.B) {
	dir := b.TempDir()
	base := sleepModules(100)
	path := filepath.Join(dir, "supervise.hcl")
	if err := os.WriteFile(path, []byte(base), 0o644); err != nil {
		b.Fatal(err)
	}
	sv := startForBench(b, dir)
	defer sv.cmd.Process.Kill()
	waitBench(b, "100 modules up", func() bool { return strings.Contains(sv.out.String(), "supervising 100 modules") })

	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		name := fmt.Sprintf("added%d", i)
		added := base + fmt.Sprintf("module %q {\n  command = [\"sleep\", \"100000\"]\n}\n", name)
		tmp := path + ".tmp"
		os.WriteFile(tmp, []byte(added), 0o644)
		start := time.Now()
		os.Rename(tmp, path)
		status := filepath.Join(dir, "status", name)
		waitBench(b, name+" running", func() bool { return pidOf(status) != 0 })
		lat = append(lat, time.Since(start))

		b.StopTimer()
		os.WriteFile(tmp, []byte(base), 0o644)
		os.Rename(tmp, path)
		sv.cmd.Process.Signal(syscall.SIGHUP) // remove it now, not once the file is quiet
		waitBench(b, name+" released", func() bool { return !statusfs.Supervised(status) })
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
	sv.cmd.Process.Signal(os.Interrupt)
	<-sv.done
}

func pidOf(dir string) int {
	st, err := statusfs.ReadStatus(dir)
	if err != nil {
		return 0
	}
	return st.PID
}

func startForBench(b *testing.B, dir string) *svman {
	s := &svman{out: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = newSvmanCmd(dir, "up", "-f", filepath.Join(dir, "supervise.hcl"))
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	return s
}

// waitBench polls cond tightly: the poll interval bounds the measurement's error.
func waitBench(b *testing.B, what string, cond func() bool) {
	end := time.Now().Add(testkit.Deadline)
	for !cond() {
		if time.Now().After(end) {
			b.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Microsecond)
	}
}
