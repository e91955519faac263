package main

import (
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
)

// A save whose file() names a FIFO is refused at once with a diagnostic, and svman
// stays responsive: the next save applies, and TERM stops it.
func TestSaveWithFileOfFIFO(t *testing.T) {
	p := newProject(t, sleepModules(1))
	if err := syscall.Mkfifo(filepath.Join(p.dir, "pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	sv := p.up()
	pid := p.waitPID("s00", 0)
	p.save("rename over", "module \"s00\" {\n  command = [\"sleep\", \"100000\"]\n  env = { A = file(\"pipe\") }\n}\n")
	sv.waitOutput(`reload: .*supervise.hcl is not valid; keeping the running configuration`)
	sv.waitOutput(regexp.QuoteMeta(`cannot read "pipe": it is a FIFO (named pipe), not a regular file`))
	if code, out, errOut := p.svmanCmd("check"); code != 1 {
		t.Errorf("check = %d, want 1\n%s%s", code, out, errOut)
	}
	p.save("rename over", sleepModules(2))
	sv.waitOutput(`reload: \+1 -0 ~0 \(1 unchanged\): \+s01`)
	if p.status("s00").PID != pid {
		t.Error("s00 was restarted")
	}
	if code := sv.stop(); code != 0 {
		t.Errorf("svman exited %d after TERM, want 0", code)
	}
}

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
