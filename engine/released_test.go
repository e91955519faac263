package engine

import (
	"path/filepath"
	"strings"
	"testing"

	"svman/statusfs"
)

// A released module ignores every command but u and o, is taken back by o (run
// once), and once its block is removed nothing listens for it any more.
func TestReleasedModuleListensForUpOrOnce(t *testing.T) {
	h := newHarness(t)
	a, b := h.module("a", "sleep", nil), h.module("b", "sleep", nil)
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
	waitFor(t, "a released", released)
	send("d\n")
	waitFor(t, "the d for released a reported as ignored", func() bool {
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
	waitFor(t, "a taken back and running once", func() bool {
		st, err := statusfs.ReadStatus(dir)
		return err == nil && statusfs.Supervised(dir) && st.PID != 0 && st.PID != pa && st.Want == statusfs.WantOnce
	})
	// Events follow the files of their step: wait for it rather than assume it.
	waitFor(t, "the Reclaimed event of a", func() bool { return h.ev.count("a", Reclaimed) == 1 })

	send("dx")
	waitFor(t, "a released again", released)
	h.apply(b)
	waitFor(t, "nothing listening for removed a", func() bool { return !statusfs.Listening(dir) && !statusfs.Supervised(dir) })
}
