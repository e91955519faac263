package engine

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/statusfs"
)

// A released module ignores every command but u and o, is taken back by o (run
// once), and once its block is removed nothing listens for it any more.
func TestReleasedModuleListensForUpOrOnce(t *testing.T) {
	h := newHarness(t)
	a, b := h.module("a", "showenv", nil), h.module("b", "showenv", nil)
	h.apply(a, b)
	pa := h.waitUp("a")
	dir := filepath.Join(h.status, "a")
	send := func(cmds string) {
		t.Helper()
		if err := statusfs.SendControl(dir, []byte(cmds)); err != nil {
			t.Fatal(err)
		}
	}
	released := func() bool { return !statusfs.Supervised(dir) && statusfs.Listening(dir) }

	send("dx")
	testkit.WaitFor(t, "a released", released)
	send("d\n")
	testkit.WaitFor(t, "the d for released a reported as ignored", func() bool {
		for _, ev := range h.ev.find("a", Warning) {
			if strings.Contains(ev.Err.Error(), `released: 2 bytes ignored: "d\n"`) {
				return true
			}
		}
		return false
	})
	if !released() {
		t.Fatal("a d took released a back")
	}

	send("o")
	testkit.WaitFor(t, "a taken back and running once", func() bool {
		st, err := statusfs.ReadStatus(dir)
		return err == nil && statusfs.Supervised(dir) && st.PID != 0 && st.PID != pa && st.Want == statusfs.WantOnce
	})
	// Events follow the files of their step: wait for it rather than assume it.
	testkit.WaitFor(t, "the Reclaimed event of a", func() bool { return h.ev.count("a", Reclaimed) == 1 })

	send("dx")
	testkit.WaitFor(t, "a released again", released)
	h.apply(b)
	testkit.WaitFor(t, "nothing listening for removed a", func() bool { return !statusfs.Listening(dir) && !statusfs.Supervised(dir) })
}

// A flood on a released module's control FIFO makes a bounded number of
// warnings, and the u written after it still takes the module back.
func TestReleasedFloodIsBounded(t *testing.T) {
	h := newHarness(t)
	h.apply(h.module("a", "showenv", nil))
	h.waitUp("a")
	dir := filepath.Join(h.status, "a")
	if err := statusfs.SendControl(dir, []byte("dx")); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "a released", func() bool { return !statusfs.Supervised(dir) && statusfs.Listening(dir) })

	start := time.Now()
	f, err := os.OpenFile(filepath.Join(dir, "control"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Write(append(bytes.Repeat([]byte("d"), 1<<20), 'u'))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "a taken back by the u after the flood", func() bool { return h.pid("a") != 0 })
	shown, held := 0, 0
	for _, ev := range h.ev.find("a", Warning) {
		switch {
		case !strings.Contains(ev.Err.Error(), "released: "):
		case ev.Quiet:
			held++
		default:
			shown++
		}
	}
	if bound := controlLinesBurst + int(time.Since(start)/controlLinesEvery) + 1; shown > bound {
		t.Errorf("1 MB on a released module's control made %d warnings shown, want at most %d", shown, bound)
	}
	t.Logf("%d warnings shown, %d held back", shown, held)
}
