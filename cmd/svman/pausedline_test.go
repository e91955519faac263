package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"svman/internal/testkit"
)

// A line the module pauses in the middle of is shown on the console as it comes,
// but is one line in __stdout and in `svman logs`, however long the pauses; a
// last line without newline is written when the module exits.
func TestPausedLineIsOneLineInTheLog(t *testing.T) {
	p := newProject(t, helperModule("p", "pauses", `restart { policy = "never" }`))
	sv := p.up()
	pid := p.waitPID("p", 0)
	// Each piece is on the console once the 200 ms without more bytes have passed:
	// only then does the test let the module go on.
	// The output holds 10 MB: the waits look at its end, not at all of it.
	for _, shown := range []string{`p +\| progress: \n$`, `p +\| \.\n$`, `xEND\n$`} {
		waitTail(t, sv, shown)
		if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
	}
	waitTail(t, sv, `p +\| last words\n(.*\n)*.*p \(pid \d+\) exited`)
	if code := sv.stop(); code != 0 {
		t.Fatalf("svman exited %d", code)
	}
	// The newline that came alone ended a line the console had shown: no empty line.
	if n := strings.Count(sv.out.String(), " p     |\n"); n != 0 {
		t.Errorf("the console shows %d empty lines of p", n)
	}

	long := strings.Repeat("x", 10_000_000) + "END"
	want := []string{"progress: .. done", long, "last words"}
	f, err := os.Open(filepath.Join(p.statusDir("p"), "__stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if line != "" {
				t.Errorf("__stdout ends in an unfinished line: %.40q", line)
			}
			break
		}
		_, text, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ") // after the timestamp
		got = append(got, text)
	}
	checkLines(t, "__stdout", got, want)

	code, out, errOut := p.svmanCmd("logs", "--color", "never", "p")
	if code != 0 {
		t.Fatalf("svman logs: exit %d: %s", code, errOut)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		_, text, _ := strings.Cut(l, " | ") // after "15:04:05 p    "
		lines = append(lines, text)
	}
	checkLines(t, "svman logs", lines, want)
}

// waitTail waits until the last 4 KiB of svman's output match re.
func waitTail(t *testing.T, sv *svman, re string) {
	t.Helper()
	rx := regexp.MustCompile(re)
	var tail []byte
	testkit.WaitFor(t, fmt.Sprintf("output ending in %q", re), func() bool {
		sv.out.mu.Lock()
		b := sv.out.buf.Bytes()
		tail = append(tail[:0], b[max(0, len(b)-4096):]...)
		sv.out.mu.Unlock()
		return rx.Match(tail) || sv.exited()
	})
	if !rx.Match(tail) {
		t.Fatalf("svman exited (%v) before its output ended in %q: %q", sv.err, re, tail)
	}
}

// checkLines compares lines, showing only their starts and lengths.
func checkLines(t *testing.T, where string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		var short []string
		for _, l := range got {
			short = append(short, l[:min(len(l), 40)])
		}
		t.Fatalf("%s: %d lines %q, want %d", where, len(got), short, len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: line %d is %.40q (%d bytes), want %.40q (%d bytes)", where, i, got[i], len(got[i]), want[i], len(want[i]))
		}
	}
}
