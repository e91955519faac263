package engine

import (
	"os"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/logmux"
)

// A console slower than a module never delays the module's restarts: the
// module's output goes at the console's pace, its supervision does not. The
// console here is a pipe whose reader keeps reading, slowly (about 32 KiB/s: a
// ssh session, a terminal on a slow link), so it never counts as stalled and
// the flooding module's pump always waits for room; svman's own lines about the
// module go to the same console, as under svman up. Each kill must be answered
// by a start at once, not when the console has made room.
func TestSlowConsoleDelaysNoRestart(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	readerDone, hurry := make(chan struct{}), make(chan struct{})
	go func() { // the slow reader; once hurried, a fast one, until the console is closed
		defer close(readerDone)
		buf := make([]byte, 8<<10)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
			case <-hurry:
			}
			if _, err := r.Read(buf); err != nil {
				return
			}
		}
	}()
	console := logmux.NewConsole(w, logmux.Options{Buffer: 1024})
	h := newHarness(t, func(c *Config) {
		c.Output = console
		events := c.Events
		c.Events = func(ev Event) { events(ev); console.Systemf("%s", ev) }
	})
	t.Cleanup(func() {
		h.shutdown()
		close(hurry) // what the console still holds is shown, then it closes
		console.Close()
		w.Close()
		<-readerDone
		r.Close()
	})
	m := h.module("chatty", "count-lines", map[string]string{testkit.CountEnv: "1000000000"})
	m.Restart.MinUptime = time.Second // a run longer than this restarts at once
	h.apply(m)

	const kills = 4
	var worst time.Duration
	for i := range kills {
		pid := h.waitUp("chatty")
		began := time.Now()
		testkit.WaitFor(t, "chatty to have run for its min_uptime, its output queued for the console", func() bool {
			return time.Since(began) > 1100*time.Millisecond
		})
		starts := h.ev.count("chatty", Started)
		killed := time.Now()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		testkit.WaitFor(t, "the replacement's start", func() bool { return h.ev.count("chatty", Started) > starts })
		started := h.ev.find("chatty", Started)[starts].Time
		if d := started.Sub(killed); d > worst {
			worst = d
		}
		t.Logf("kill %d: replacement started %s after the kill", i+1, started.Sub(killed).Round(time.Millisecond))
	}
	// A console write of 64 KiB takes this reader about 2 s: a restart that
	// waited for console room would take that long. A restart that did not wait
	// takes milliseconds; the margin is for a loaded machine.
	if worst > time.Second {
		t.Errorf("a restart waited %s for the console (well under 1s expected)", worst.Round(time.Millisecond))
	}
}
