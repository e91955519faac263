package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// pausedPieces are what the "pauses" helper writes, one after the other, pausing
// after each until the test signals it: a line written in three pieces; a line of
// 10 MB whose newline comes alone, after a pause; a last line the module exits
// without ending.
var pausedPieces = []string{
	"progress: ",
	".",
	". done\n" + strings.Repeat("x", 10_000_000) + "END",
	"\nlast words",
}

// A line the module pauses in the middle of is shown on the console as it comes,
// but is one line in __stdout and in `svman logs`, however long the pauses; a
// last line without newline is written when the module exits.
func TestPausedLineIsOneLineInTheLog(t *testing.T) {
	p := newProject(t, helperModule("p", "pauses", `restart { policy = "never" }`))
	sv := p.up()
	pid := p.waitPID("p", 0)
	// Each piece is on the console once the 200 ms without more bytes have passed:
	// only then does the test let the module go on.
	for _, shown := range []string{`p +\| progress: \n`, `p +\| \.\n`, `p +\| x+END\n`} {
		sv.waitOutput(shown)
		if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
	}
	sv.waitOutput(`p +\| last words\n`)
	sv.waitOutput(`p \(pid \d+\) exited`)
	if code := sv.stop(); code != 0 {
		t.Fatalf("svman exited %d", code)
	}
	// The newline that came alone ended a line the console had shown: no empty line.
	if empty := regexp.MustCompile(`(?m)^\S+ p +\|$`).FindAllString(sv.out.String(), -1); len(empty) != 0 {
		t.Errorf("the console shows %d empty lines of p", len(empty))
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
	shown := regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d p +\| `)
	var lines []string
	for _, l := range bytes.Split(bytes.TrimSuffix([]byte(out), []byte("\n")), []byte("\n")) {
		lines = append(lines, string(shown.ReplaceAll(l, nil)))
	}
	checkLines(t, "svman logs", lines, want)
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
