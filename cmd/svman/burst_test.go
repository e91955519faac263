package main

import (
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/statusfs"
)

// A manifest written in two pieces, 50 and 300 ms apart (a paste into `cat >`,
// a slow copy), whose first piece lacks b, c and the tail: nothing the operator
// or the policy decided is lost, and no module is stopped. a stays down (d), b
// stays failed (given up), c keeps its pid. Then a whole save without the tail
// removes it, but only once the file has been quiet for removalQuiet.
func TestSaveInTwoWritesKeepsOperatorState(t *testing.T) {
	for _, gap := range []time.Duration{50 * time.Millisecond, 300 * time.Millisecond} {
		t.Run(gap.String(), func(t *testing.T) { saveInTwoWrites(t, gap) })
	}
}

func saveInTwoWrites(t *testing.T, gap time.Duration) {
	first := helperModule("a", "sleeper")
	rest := helperModule("b", "crash", "alarm {\n    interval  = \"1h\"\n    max_tries = 1\n  }") +
		helperModule("c", "sleeper")
	tail := helperModule("tail", "sleeper")
	p := newProject(t, first+rest+tail)
	sv := p.up()
	p.waitPID("a", 0)
	c := p.waitPID("c", 0)
	tailPID := p.waitPID("tail", 0)
	p.sh("echo d > status/a/control")
	testkit.WaitFor(t, "a down by d", func() bool {
		st, err := statusfs.ReadState(p.statusDir("a"))
		return err == nil && st.State == statusfs.RunDown && p.status("a").PID == 0
	})
	sv.waitOutput(`supervise refused to restart b any more`)
	testkit.WaitFor(t, "b failed", func() bool {
		st, err := statusfs.ReadState(p.statusDir("b"))
		return err == nil && st.State == statusfs.RunFailed
	})
	bStarts := strings.Count(sv.out.String(), "b started, pid")

	// The two writes of one save, as `cat > supervise.hcl` makes them.
	f, err := os.OpenFile(p.manifestPath(), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(first); err != nil {
		t.Fatal(err)
	}
	wrote := time.Now()
	// The first piece must have been applied for the test to mean anything.
	sv.waitOutput(`reload: \+0 -0 ~0 \(1 unchanged\); removal of b, c, tail pending until the file is quiet\n`)
	time.Sleep(gap - time.Since(wrote)) // the writer's pace, not a synchronisation
	if _, err := f.WriteString(rest + tail); err != nil {
		t.Fatal(err)
	}
	f.Close()
	sv.waitOutput(`reload: \+0 -0 ~0 \(4 unchanged\); removal of b, c, tail cancelled: the block is back\n`)

	// A whole save that lacks the tail removes it once the file is quiet, no sooner.
	saved := time.Now()
	p.save("truncate and write", first+rest)
	sv.waitOutput(`removal of tail pending until the file is quiet\n`)
	sv.waitOutput(`reload: \+0 -1 ~0 \(3 unchanged\): -tail\n`)
	if waited := time.Since(saved); waited < removalQuiet {
		t.Errorf("the tail was removed %v after the save, before the file had been quiet for %v", waited, removalQuiet)
	} else {
		t.Logf("the tail's removal was applied %v after the save", waited)
	}
	testkit.WaitFor(t, "the tail released", func() bool { return !statusfs.Supervised(p.statusDir("tail")) && !pidAlive(tailPID) })

	// By now the burst's own quiet period is long over too.
	if st := p.status("a"); st.PID != 0 || st.Want != statusfs.WantDown || !statusfs.Supervised(p.statusDir("a")) {
		t.Errorf("a after the save: %+v; want supervised, down", st)
	}
	if st, err := statusfs.ReadState(p.statusDir("b")); err != nil || st.State != statusfs.RunFailed || p.status("b").PID != 0 {
		t.Errorf("b after the save: %+v (%v), pid %d; want failed", st, err, p.status("b").PID)
	}
	if n := strings.Count(sv.out.String(), "b started, pid"); n != bStarts {
		t.Errorf("b started %d more times", n-bStarts)
	}
	if got := p.status("c").PID; got != c {
		t.Errorf("c's pid changed from %d to %d", c, got)
	}
	if m := regexp.MustCompile(`reload: .*[-+](a|b|c)\b`).FindString(sv.out.String()); m != "" {
		t.Errorf("a reload touched a, b or c: %q", m)
	}
	sv.stop()
}

// A reload the operator asks for (HUP) applies a removal at once, even while the
// file keeps changing and would never be quiet.
func TestOperatorReloadRemovesAtOnce(t *testing.T) {
	p := newProject(t, sleepModules(2))
	sv := p.up()
	gone := p.waitPID("s01", 0)
	without := sleepModules(1)
	p.save("truncate and write", without)
	sv.waitOutput(`removal of s01 pending until the file is quiet\n`)

	// Rewrite the same content every 100 ms: edits that change nothing, but the
	// file is never quiet for removalQuiet.
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				os.WriteFile(p.manifestPath(), []byte(without), 0o644)
			}
		}
	}()
	defer func() { close(stop); <-stopped }()
	sv.cmd.Process.Signal(syscall.SIGHUP)
	sv.waitOutput(`reload: \+0 -1 ~0 \(1 unchanged\): -s01\n`)
	testkit.WaitFor(t, "s01 released", func() bool { return !statusfs.Supervised(p.statusDir("s01")) && !pidAlive(gone) })
}
