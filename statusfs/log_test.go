package statusfs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func readLines(t *testing.T, p string) []string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 || b[len(b)-1] != '\n' {
		t.Fatalf("%s does not end in a newline: %q", p, b)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

var logLineRE = regexp.MustCompile(`^\[(NOTICE|WARNING|FATAL)\] (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (.*)$`)

func TestLogLines(t *testing.T) {
	d := openTemp(t)
	before := time.Now().Truncate(time.Second)
	d.Notice("supervise is trying to restart %s...", "mod")
	d.Warning("unable to write %s", "status/mod/status.new")
	d.Fatal("two\nlines\r\nhere\n")
	d.Notice("service exited with coredump")
	after := time.Now()

	check := func(name string, want [][2]string) {
		t.Helper()
		lines := readLines(t, filepath.Join(d.Path(), name))
		if len(lines) != len(want) {
			t.Fatalf("%s has %d lines, want %d: %q", name, len(lines), len(want), lines)
		}
		for i, l := range lines {
			m := logLineRE.FindStringSubmatch(l)
			if m == nil {
				t.Errorf("%s line %q does not match %v", name, l, logLineRE)
				continue
			}
			if m[1] != want[i][0] || m[3] != want[i][1] {
				t.Errorf("%s line %d = %q, want level %s message %q", name, i, l, want[i][0], want[i][1])
			}
			ts, err := time.ParseInLocation(logTimeLayout, m[2], time.Local)
			if err != nil || ts.Before(before) || ts.After(after) {
				t.Errorf("%s line %q: local time %v not between %v and %v (%v)", name, l, ts, before, after, err)
			}
		}
	}
	check("supervise.log", [][2]string{
		{"NOTICE", "supervise is trying to restart mod..."},
		{"NOTICE", "service exited with coredump"},
	})
	check("supervise.log.wf", [][2]string{
		{"WARNING", "unable to write status/mod/status.new"},
		{"FATAL", "two lines here"},
	})
}

// Every line opens and closes the log: a rotated log is left alone, a new one is
// started, and no descriptor stays open.
func TestLogRotationAndNoHeldFD(t *testing.T) {
	d := openTemp(t)
	p := filepath.Join(d.Path(), "supervise.log")
	d.Notice("first")
	if err := os.Rename(p, p+".1"); err != nil {
		t.Fatal(err)
	}
	d.Notice("second")
	if l := readLines(t, p+".1"); len(l) != 1 || !strings.HasSuffix(l[0], " first") {
		t.Errorf("rotated log = %q", l)
	}
	if l := readLines(t, p); len(l) != 1 || !strings.HasSuffix(l[0], " second") {
		t.Errorf("new log = %q", l)
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	for _, fd := range fds {
		if target, _ := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); strings.Contains(target, "supervise.log") {
			t.Errorf("fd %s still open on %s", fd.Name(), target)
		}
	}
}

func TestLogSizeLimit(t *testing.T) {
	d := openTemp(t)
	p := filepath.Join(d.Path(), "supervise.log.wf")
	// A sparse file: it takes no disk space.
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, maxLogSize+1); err != nil {
		t.Skipf("cannot make a sparse file: %v", err)
	}
	d.Warning("fresh")
	if l := readLines(t, p); len(l) != 1 || !strings.HasSuffix(l[0], " fresh") {
		t.Errorf("log past the limit was not started afresh: %d lines", len(l))
	}
}

// Logging never fails loudly and still works after Close (the engine may log its exit).
func TestLogFailureIgnoredAndAfterClose(t *testing.T) {
	d := openTemp(t)
	if err := os.Mkdir(filepath.Join(d.Path(), "supervise.log"), 0o700); err != nil {
		t.Fatal(err)
	}
	d.Notice("goes nowhere") // must not panic or block
	d.Close()
	d.Warning("after close")
	if l := readLines(t, filepath.Join(d.Path(), "supervise.log.wf")); len(l) != 1 {
		t.Errorf("log after Close: %q", l)
	}
}
