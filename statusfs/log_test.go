package statusfs

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"svman/logfiles"
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

// A supervise log line is byte for byte the legacy one: level, local time to
// the second, the message on one line.
func TestLogLineGolden(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 3, 4, 999_000_000, time.Local)
	for _, c := range []struct{ level, msg, want string }{
		{"NOTICE", "supervise is trying to restart web...", "[NOTICE] 2024-05-01 12:03:04 supervise is trying to restart web...\n"},
		{"WARNING", "unable to write status\n", "[WARNING] 2024-05-01 12:03:04 unable to write status\n"},
		{"FATAL", "two\nlines\r\nhere\r\n", "[FATAL] 2024-05-01 12:03:04 two lines here\n"},
	} {
		if got := string(formatLogLine(c.level, c.msg, at)); got != c.want {
			t.Errorf("formatLogLine(%q, %q) = %q, want %q", c.level, c.msg, got, c.want)
		}
	}
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

// A log that a line would take past maxLogSize is rotated, not deleted.
func TestLogSizeLimit(t *testing.T) {
	d := openTemp(t)
	p := filepath.Join(d.Path(), "supervise.log.wf")
	// A sparse file: it takes no disk space.
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, maxLogSize-10); err != nil {
		t.Skipf("cannot make a sparse file: %v", err)
	}
	before := time.Now()
	d.Warning("fresh")
	if l := readLines(t, p); len(l) != 1 || !strings.HasSuffix(l[0], " fresh") {
		t.Errorf("log past the limit was not started afresh: %d lines", len(l))
	}
	rotated, err := logfiles.RotatedFiles(p)
	if err != nil || len(rotated) != 1 {
		t.Fatalf("rotated logs %q, %v; want one", rotated, err)
	}
	if fi, err := os.Stat(rotated[0]); err != nil || fi.Size() != maxLogSize-10 {
		t.Errorf("rotated log: %v, %v", fi, err)
	}
	stamp := strings.TrimPrefix(rotated[0], p+".")
	if at, err := time.ParseInLocation("2006-01-02T15-04-05.000", stamp, time.Local); err != nil || at.Before(before.Truncate(time.Millisecond)) || at.After(time.Now()) {
		t.Errorf("rotated log name %q: time %v, %v", rotated[0], at, err)
	}
	if _, err := os.Stat(filepath.Join(d.Path(), "supervise.log")); err == nil {
		t.Error("supervise.log was created by a rotation of supervise.log.wf")
	}
}

// Rotation keeps the newest keepLogs rotated logs of each log, whole lines only, and the
// rotations of supervise.log leave supervise.log.wf and its rotated logs alone.
func TestLogRotation(t *testing.T) {
	defer func(n int64) { logRotateSize = n }(logRotateSize)
	logRotateSize = 300
	d := openTemp(t)
	wf := filepath.Join(d.Path(), "supervise.log.wf")
	d.Warning("keep me")
	if err := d.useDir(func(dirfd int) error { return rotateLogAt(dirfd, d.Path(), filepath.Base(wf), time.Now(), keepLogs) }); err != nil {
		t.Fatal(err)
	}
	d.Warning("and me")

	var written []string
	for i := range 200 {
		msg := fmt.Sprintf("line %d %s", i, strings.Repeat("n", i%50))
		d.Notice("%s", msg)
		written = append(written, msg)
	}

	p := filepath.Join(d.Path(), "supervise.log")
	rotated, err := logfiles.RotatedFiles(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(rotated) != keepLogs {
		t.Fatalf("%d rotated logs, want %d: %q", len(rotated), keepLogs, rotated)
	}
	var got []string
	for _, n := range append(rotated, p) {
		if fi, err := os.Stat(n); err != nil || fi.Size() > logRotateSize {
			t.Errorf("%s: %v, %v; want at most %d bytes", n, fi.Size(), err, logRotateSize)
		}
		for _, l := range readLines(t, n) {
			m := logLineRE.FindStringSubmatch(l)
			if m == nil || m[1] != "NOTICE" {
				t.Fatalf("%s: bad line %q", n, l)
			}
			got = append(got, m[3])
		}
	}
	if tail := written[len(written)-len(got):]; strings.Join(got, "\n") != strings.Join(tail, "\n") {
		t.Errorf("kept logs hold %q, want the last lines written %q", got, tail)
	}
	if wfRotated, _ := logfiles.RotatedFiles(wf); len(wfRotated) != 1 {
		t.Errorf("rotated logs of supervise.log.wf: %q, want the one made", wfRotated)
	} else if l := readLines(t, wfRotated[0]); len(l) != 1 || !strings.HasSuffix(l[0], " keep me") {
		t.Errorf("rotated supervise.log.wf: %q", l)
	}
	if l := readLines(t, wf); len(l) != 1 || !strings.HasSuffix(l[0], " and me") {
		t.Errorf("supervise.log.wf: %q", l)
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

// A legacy supervise appending to a directory (AppendLog) while svman's
// supervisor writes to it (a Dir) shares the one lock of that path: no log ever
// grows past the rotation size, and every line stays whole.
func TestLogWritersOfOneDirectoryShareTheRotation(t *testing.T) {
	defer func(n int64) { logRotateSize = n }(logRotateSize)
	logRotateSize = 400
	d := openTemp(t)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 150 {
				msg := fmt.Sprintf("writer %d line %d %s", w, i, strings.Repeat("x", i%40))
				if w%2 == 0 {
					d.Notice("%s", msg)
				} else {
					AppendLog(d.Path(), "NOTICE", "%s", msg)
				}
			}
		}()
	}
	wg.Wait()
	p := filepath.Join(d.Path(), "supervise.log")
	rotated, err := logfiles.RotatedFiles(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range append(rotated, p) {
		if fi, err := os.Stat(n); err != nil || fi.Size() > logRotateSize {
			t.Errorf("%s: %v, %v; want at most %d bytes", n, fi.Size(), err, logRotateSize)
		}
		for _, l := range readLines(t, n) {
			if !logLineRE.MatchString(l) {
				t.Errorf("%s: line %q is not whole", n, l)
			}
		}
	}
}
