package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A reload whose read of the manifest waits (here the manifest is a FIFO that
// nobody writes any more) does not hold up svman: TERM still stops it.
func TestReloadThatWaitsLeavesSignalsServed(t *testing.T) {
	p := newProject(t, "")
	fifo := filepath.Join(p.dir, "fifo.hcl")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sv := p.start("up", "-f", fifo)
	// The first load reads what this writes; the open waits for svman's.
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString(sleepModules(1))
	w.Close()
	sv.waitOutput(`supervising 1 module`)
	p.waitPID("s00", 0)

	sv.cmd.Process.Signal(syscall.SIGHUP) // the reload's open of the FIFO waits for a writer
	sv.cmd.Process.Signal(syscall.SIGHUP) // a second one is merged, and said to wait
	if code := sv.stop(); code != 0 {
		t.Errorf("svman exited %d after TERM, want 0; output:\n%s", code, sv.out)
	}
	if st := p.status("s00"); st.PID != 0 {
		t.Errorf("s00 still has pid %d after svman stopped", st.PID)
	}
}
