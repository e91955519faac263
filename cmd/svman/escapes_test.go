package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"svman/internal/testkit"
)

// sgr is an SGR sequence, the only escape a terminal may be sent.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// checkEscaped fails unless out shows testkit.HostileOutput's title, clear and
// clipboard escapes as text, keeps its color, and holds no other ESC.
func checkEscaped(t *testing.T, what, out string) {
	t.Helper()
	if !strings.Contains(out, "^[]0;pwned-title^G^[[2J^[]52;c;cHduZWQ=^G\x1b[31mred\x1b[0m end-of-escapes") {
		t.Errorf("%s: the module's line is not shown escaped, color kept:\n%q", what, out)
	}
	if rest := sgr.ReplaceAllString(out, ""); strings.Contains(rest, "\x1b") {
		t.Errorf("%s: a terminal was sent an escape other than a color:\n%q", what, out)
	}
}

// startOnTerminal starts svman with args with its stdout and stderr on term,
// colors left to svman (no NO_COLOR), and closes the test's copy of term.
func (p *project) startOnTerminal(term *pty, args ...string) *svman {
	p.t.Helper()
	return p.startCmd(term.out, func(cmd *exec.Cmd) {
		cmd.Env = slices.DeleteFunc(cmd.Env, func(kv string) bool { return strings.HasPrefix(kv, "NO_COLOR=") })
		cmd.Stdout, cmd.Stderr = term.term, term.term
	}, term.closeTerm, args...)
}

// TestTerminalEscapes: a module's escape sequences reach neither `svman up`'s
// nor `svman logs`' terminal (both on a real pty) but as visible text, its
// colors do, and its log file keeps every byte.
func TestTerminalEscapes(t *testing.T) {
	p := newProject(t, helperModule("esc", "escapes"))
	up := p.startOnTerminal(openPTY(t), "up", "-f", p.manifestPath())
	up.waitOutput(`end-of-escapes`)
	if code := up.stop(); code != 0 {
		t.Errorf("svman up exited %d", code)
	}
	checkEscaped(t, "svman up", up.out.String())

	log, err := os.ReadFile(filepath.Join(p.statusDir("esc"), "__stdout"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(log, []byte(testkit.HostileOutput+"\n")) {
		t.Errorf("__stdout does not hold the module's bytes as written:\n%q", log)
	}

	term := openPTY(t)
	logs := p.startOnTerminal(term, "logs", "-f", p.manifestPath())
	if code := logs.wait(); code != 0 {
		t.Errorf("svman logs exited %d", code)
	}
	select {
	case <-term.done: // every byte svman logs wrote has been read
	case <-time.After(testkit.Deadline):
		t.Fatal("the pty of svman logs was not closed")
	}
	checkEscaped(t, "svman logs", term.out.String())
}

// TestRawKeepsEscapes: --raw writes the module's bytes as they are, even to a
// terminal: raw is for piping, and the user's choice.
func TestRawKeepsEscapes(t *testing.T) {
	p := newProject(t, helperModule("esc", "escapes"))
	raw := p.startOnTerminal(openPTY(t), "up", "-f", p.manifestPath(), "--only", "esc", "--raw")
	raw.waitOutput(`end-of-escapes`)
	raw.stop()
	if !strings.Contains(raw.out.String(), testkit.HostileOutput) {
		t.Errorf("--raw changed the module's bytes:\n%q", raw.out.String())
	}
}

// TestPipeStripsEscapes: a console that is not a terminal (a pipe) gets the
// module's line with its escape sequences removed, as before, and nothing
// escaped.
func TestPipeStripsEscapes(t *testing.T) {
	p := newProject(t, helperModule("esc", "escapes"))
	s := p.up()
	s.waitOutput(`end-of-escapes`)
	s.stop()
	out := s.out.String()
	if !strings.Contains(out, "| red end-of-escapes\n") || strings.Contains(out, "\x1b") || strings.Contains(out, "^[") {
		t.Errorf("svman up into a pipe:\n%q", out)
	}
}
