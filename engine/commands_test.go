package engine

import (
	"path/filepath"
	"testing"

	"svman/internal/testkit"
	"svman/statusfs"
)

// One read's bytes: blanks skipped, a repeated command applied once, unknown
// bytes one warning that counts them all and shows the first 16.
func TestApplyControlCoalesces(t *testing.T) {
	h := newHarness(t)
	h.apply(h.module("target", "showenv", nil)) // a Go child: SIGALRM ('a') is caught and ignored
	h.waitUp("target")
	testkit.WaitFor(t, "the child to be ready", func() bool { return h.out.has("target: VALUE=") })
	read := []byte("aaaa\n a\x00aZZZZZZZZZZZZZZZZZZZZ\xffa")
	// One write of less than PIPE_BUF is atomic: svman's next read takes it whole.
	if err := statusfs.SendControl(filepath.Join(h.status, "target"), read); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the read applied", func() bool { return h.ev.count("target", BadCommand) == 1 })
	if n := h.ev.count("target", Signaled); n != 1 {
		t.Errorf("%q sent %d SIGALRMs, want 1", read, n)
	}
	ev := h.ev.find("target", BadCommand)[0]
	if ev.UnknownCount != 21 || string(ev.Unknown) != "ZZZZZZZZZZZZZZZZ" {
		t.Errorf("unknown bytes reported as %d, %q; want 21, 16 Z's", ev.UnknownCount, ev.Unknown)
	}
}
