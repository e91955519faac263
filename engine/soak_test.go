package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
	"time"

	"svman/internal/proc"
	"svman/internal/testkit"
	"svman/manifest"
)

// soakDuration is how long TestSoak lets modules crash: a few seconds in `make
// test`, a minute or more with SVMAN_SOAK=60s (`make test-soak`).
func soakDuration(t *testing.T) time.Duration {
	if v := os.Getenv("SVMAN_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("SVMAN_SOAK=%q: %v", v, err)
		}
		return d
	}
	return 3 * time.Second
}

func openFDs() int {
	entries, _ := os.ReadDir("/proc/self/fd")
	return len(entries)
}

var exitLine = regexp.MustCompile(`\(pid \d+\) (exited with code|killed by)`)

// 200 modules crash at random for a while. Afterwards no zombie is left, svman's
// open files and goroutines are back to where they started, and every crash is in
// the module's supervise logs.
func TestSoak(t *testing.T) {
	d := soakDuration(t)
	fds, goroutines := openFDs(), runtime.NumGoroutine()
	h := newHarness(t)
	var names []string
	var mods []manifest.Module
	for i := range 200 {
		name := fmt.Sprintf("crash%03d", i)
		m := h.shModule(name, "exec sleep 0.$(( $$ % 5 + 1 ))")
		m.Restart.Delay, m.Restart.MaxDelay, m.Restart.MinUptime = 100*time.Millisecond, time.Second, time.Hour
		mods = append(mods, m)
		names = append(names, name)
	}
	h.apply(mods...)
	<-time.After(d) // the load runs this long; nothing is synchronised on it
	t0 := time.Now()
	h.shutdown()
	t.Logf("200 crashing modules stopped in %v", time.Since(t0))

	exits := 0
	for _, name := range names {
		n := h.ev.count(name, Exited)
		exits += n
		logged := 0
		for _, f := range []string{"supervise.log", "supervise.log.wf"} {
			b, _ := os.ReadFile(filepath.Join(h.status, name, f))
			logged += len(exitLine.FindAll(b, -1))
		}
		if logged != n {
			t.Errorf("%s: %d exits, %d in its supervise logs", name, n, logged)
		}
	}
	if kids := proc.Children(); len(kids) > 0 {
		t.Errorf("children left after shutdown (zombies or survivors): %v", kids)
	}
	testkit.WaitFor(t, "open files back to where they started", func() bool { return openFDs() <= fds })
	testkit.WaitFor(t, "goroutines back to where they started", func() bool { return runtime.NumGoroutine() <= goroutines })
	t.Logf("%d modules, %s: %d exits, %d orphans reaped", len(names), d, exits, testReaper.Orphans())
}
