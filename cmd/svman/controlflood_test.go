package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/statusfs"
)

// 1 MB of bytes that are no command, written to a module's control FIFO as
// fast as the FIFO takes them, makes a bounded number of warnings, however
// many reads svman needs for it; the `d` written right after it is applied.
func TestControlFloodIsBounded(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper"))
	sv := p.up()
	pid := p.waitPID("web", 0)
	wfBefore := strings.Count(p.readLog("web", "supervise.log.wf"), "\n")

	var junk []byte
	for b := range 256 {
		if !strings.ContainsRune(statusfs.ControlLetters+"\n\r\t \x00", rune(b)) { // blanks are skipped, not warned of
			junk = append(junk, byte(b))
		}
	}
	flood := bytes.Repeat(junk, 1<<20/len(junk)+1)[:1<<20]
	control, err := os.OpenFile(filepath.Join(p.statusDir("web"), "control"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = control.Write(append(flood, 'd'))
	control.Close()
	if err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "web down after the flood and its d", func() bool { return !pidAlive(pid) && p.status("web").PID == 0 })
	sv.waitOutput(`web: \d+ lines about control bytes suppressed \(`) // the report once the limit allows it
	took := time.Since(start)

	wf := p.readLog("web", "supervise.log.wf")
	lines := strings.Split(strings.TrimSuffix(wf, "\n"), "\n")[wfBefore:]
	// The burst, one a second after it, and the report of what was held back.
	bound := 20 + int(took/time.Second) + 2
	if len(lines) > bound {
		t.Errorf("1 MB of junk made %d warning lines in %s, want at most %d:\n%s", len(lines), took, bound, strings.Join(lines[:10], "\n"))
	}
	re := regexp.MustCompile(`(?m)web: \d+ unknown control bytes ignored: "\\x01\\x02\\x03\\x04\\x05\\x06\\a\\b\\v\\f\\x0e\\x0f\\x10\\x11\\x12\\x13"\.\.\.$`)
	if !re.MatchString(wf) {
		t.Errorf("no warning counts and shows the unknown bytes of a read:\n%s", strings.Join(lines, "\n"))
	}
	t.Logf("1 MB of junk: %d warning lines in %s", len(lines), took)
	if out := sv.out.String(); strings.Count(out, "unknown control bytes") > bound {
		t.Errorf("the console showed %d lines about the junk, want at most %d", strings.Count(out, "unknown control bytes"), bound)
	}
	sv.stop()
}
