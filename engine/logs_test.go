package engine

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"svman/internal/proc"
	"svman/internal/testkit"
	"svman/logfiles"
	"svman/logmux"
	"svman/manifest"
)

const linesPerModule = 250000

// lineWriters are 4 modules that each write linesPerModule numbered lines as fast
// as they can, into log files with timestamps.
func lineWriters(h *harness) []manifest.Module { return lineWritersOf(h, linesPerModule) }

// lineWritersOf is lineWriters with lines lines each.
func lineWritersOf(h *harness, lines int) []manifest.Module {
	var mods []manifest.Module
	for i := range 4 {
		m := h.module(fmt.Sprintf("w%d", i), "count-lines", map[string]string{testkit.CountEnv: strconv.Itoa(lines)})
		m.Restart.Policy = manifest.RestartNever
		m.Log = manifest.Log{Timestamps: true, MaxSize: 50_000_000, Keep: 10}
		mods = append(mods, m)
	}
	return mods
}

// checkLogFile reads a module's __stdout and checks that it holds every line once,
// in order, each with its timestamp.
func checkLogFile(t *testing.T, dir string) { t.Helper(); checkLogFileOf(t, dir, linesPerModule) }

// checkLogFileOf is checkLogFile for modules of lines lines.
func checkLogFileOf(t *testing.T, dir string, lines int) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "__stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	want := 0
	for sc.Scan() {
		stamp, text, _ := bytes.Cut(sc.Bytes(), []byte(" ")) // "Z" or "+01:00": the length varies
		if _, err := time.Parse(logfiles.TimestampLayout, string(stamp)); err != nil {
			t.Fatalf("%s: line without a timestamp: %q", dir, sc.Bytes())
		}
		if got := string(text); got != strconv.Itoa(want) {
			t.Fatalf("%s: line %d is %q", dir, want, got)
		}
		want++
	}
	if want != lines {
		t.Fatalf("%s: %d lines in the file, want %d", dir, want, lines)
	}
}

var consoleLine = regexp.MustCompile(`^(w\d) +\| (\d+|\[svman: \d+ lines not shown, see svman logs w\d\])$|^svman +\| `)

// Every line of 4 fast writers reaches the files exactly once and in order; the
// console, drained as it goes, shows whole lines only. (The modules go at the
// console's pace: its reader only copies, and the lines are checked afterwards.)
func TestLogFilesGetEveryLine(t *testing.T) {
	pr, pw := io.Pipe()
	console := logmux.NewConsole(pw, logmux.Options{Buffer: 4096})
	consoleDone := make(chan error, 1)
	go func() {
		var out bytes.Buffer
		_, _ = io.Copy(&out, pr)
		sc := bufio.NewScanner(&out)
		for sc.Scan() {
			if !consoleLine.Match(sc.Bytes()) {
				consoleDone <- fmt.Errorf("console line not whole: %q", sc.Text())
				return
			}
		}
		consoleDone <- nil
	}()
	h := newHarness(t, func(c *Config) { c.Output = console })
	mods := lineWriters(h)
	h.apply(mods...)
	for _, m := range mods {
		testkit.WaitFor(t, m.Name+" done", func() bool { return h.ev.count(m.Name, Exited) == 1 })
	}
	h.shutdown()
	console.Close()
	pw.Close()
	if err := <-consoleDone; err != nil {
		t.Error(err)
	}
	for _, m := range mods {
		checkLogFile(t, filepath.Join(h.status, m.Name))
	}
}

// A console nobody reads slows no module: the writers finish, the files have every
// line, and when the console drains it says how many lines it did not show.
func TestBlockedConsoleSlowsNoModule(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	console := logmux.NewConsole(w, logmux.Options{Buffer: 1024})
	h := newHarness(t, func(c *Config) { c.Output = console })
	mods := lineWriters(h)
	h.apply(mods...)
	for _, m := range mods {
		testkit.WaitFor(t, m.Name+" done while the console is blocked", func() bool { return h.ev.count(m.Name, Exited) == 1 })
	}
	h.shutdown()
	go func() { console.Close(); w.Close() }()
	out, _ := io.ReadAll(r)
	if !bytes.Contains(out, []byte("lines not shown, see svman logs w")) {
		t.Errorf("no drop notice on the console")
	}
	for _, m := range mods {
		checkLogFile(t, filepath.Join(h.status, m.Name))
	}
}

// checkConsole reads what a console wrote and checks that it shows every line of
// every module once, whole, in order per module, and no notice of lines not shown.
func checkConsole(t *testing.T, path string, mods []manifest.Module, lines int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	next := map[string]int{}
	// A writer that the scheduler stops in the middle of a line for the idle
	// time has the console show what it wrote so far at once, the rest as the
	// next line of the module (Pause pieces): pieces that make up the line are
	// the line.
	shown := map[string]string{}
	line := regexp.MustCompile(`^(w\d) +\| (\d+)$`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := line.FindSubmatch(sc.Bytes())
		if m == nil {
			t.Fatalf("console line %q is not a line of a module", sc.Bytes())
		}
		name := string(m[1])
		want, got := strconv.Itoa(next[name]), shown[name]+string(m[2])
		switch {
		case got == want:
			next[name]++
			shown[name] = ""
		case strings.HasPrefix(want, got):
			shown[name] = got
		default:
			t.Fatalf("console: %s's line %d is %q", name, next[name], got)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, m := range mods {
		if next[m.Name] != lines || shown[m.Name] != "" {
			t.Errorf("console: %d lines of %s (and the start %q of one more), want %d", next[m.Name], m.Name, shown[m.Name], lines)
		}
	}
}

// consoleLines is how many lines each of the 4 writers of the console tests
// writes: 250,000, or 25,000 with -short (for -race -count=20 on a loaded machine,
// where the full size takes a minute a run; a tenth still fills the console's
// queue hundreds of times).
func consoleLines() int {
	if testing.Short() {
		return linesPerModule / 10
	}
	return linesPerModule
}

// runToConsole runs the 4 fast writers with the console writing to w, and waits
// until they are done and the console has written everything.
func runToConsole(t *testing.T, w *os.File) []manifest.Module {
	t.Helper()
	console := logmux.NewConsole(w, logmux.Options{Buffer: 4096})
	h := newHarness(t, func(c *Config) { c.Output = console })
	mods := lineWritersOf(h, consoleLines())
	h.apply(mods...)
	for _, m := range mods {
		testkit.WaitFor(t, m.Name+" done", func() bool { return h.ev.count(m.Name, Exited) == 1 })
	}
	h.shutdown()
	console.Close()
	for _, m := range mods {
		checkLogFileOf(t, filepath.Join(h.status, m.Name), consoleLines())
	}
	return mods
}

// A console that is a regular file (svman up > file) keeps up by definition: it
// gets every line, whatever the pace of the modules.
func TestConsoleFileGetsEveryLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "console")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mods := runToConsole(t, f)
	checkConsole(t, path, mods, consoleLines())
}

// A console piped to a reader that keeps reading (svman up | cat > file) gets
// every line too: the modules go at the pace of the reader.
func TestConsolePipeToCatGetsEveryLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "console")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// As svman up grows the pipe it writes to (cmd/svman's growPipe).
	if _, err := unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, 1<<20); err != nil {
		t.Logf("the pipe stays at its size: %v", err)
	}
	catPath, err := exec.LookPath("cat")
	if err != nil {
		t.Skip(err)
	}
	// Through the reaper: it alone waits for this process's children.
	_, exited, err := testReaper.Spawn(proc.SpawnSpec{Path: catPath, Argv: []string{"cat"}, Files: [3]*os.File{r, out, os.Stderr}})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	mods := runToConsole(t, w)
	w.Close()
	select {
	case st := <-exited:
		if !st.Success() {
			t.Fatalf("cat: %v", st)
		}
	case <-testkit.Within():
		t.Fatal("cat did not end at the end of its input")
	}
	checkConsole(t, path, mods, consoleLines())
}

// Rotation under load: the rotated files and the current one together hold every
// line exactly once, in order; keep is honoured.
func TestRotationUnderLoad(t *testing.T) {
	h := newHarness(t)
	mods := lineWriters(h)[:2]
	mods[0].Log.MaxSize, mods[0].Log.Keep = 100_000, 1000 // keeps them all
	mods[1].Log.MaxSize, mods[1].Log.Keep = 100_000, 2
	h.apply(mods...)
	for _, m := range mods {
		testkit.WaitFor(t, m.Name+" done", func() bool { return h.ev.count(m.Name, Exited) == 1 })
	}
	h.shutdown()

	dir := filepath.Join(h.status, mods[0].Name)
	rotated, err := logfiles.RotatedFiles(filepath.Join(dir, "__stdout"))
	if err != nil || len(rotated) < 10 {
		t.Fatalf("%d rotated files (%v), want many", len(rotated), err)
	}
	var all bytes.Buffer
	for _, f := range append(rotated, filepath.Join(dir, "__stdout")) {
		b, _ := os.ReadFile(f)
		all.Write(b)
	}
	joined := filepath.Join(t.TempDir(), "__stdout")
	os.WriteFile(joined, all.Bytes(), 0o644)
	checkLogFile(t, filepath.Dir(joined))

	kept, _ := logfiles.RotatedFiles(filepath.Join(h.status, mods[1].Name, "__stdout"))
	if len(kept) != 2 {
		t.Errorf("%d rotated files kept, want 2: %v", len(kept), kept)
	}
}
