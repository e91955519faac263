package logfiles

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"svman/logmux"
)

// stepClock returns a clock that starts at start and moves on by step at every call.
func stepClock(start time.Time, step time.Duration) func() time.Time {
	var n atomic.Int64
	return func() time.Time { return start.Add(time.Duration(n.Add(1)-1) * step) }
}

// openLog opens dir/__stdout with o, closing it at the end of the test.
func openLog(t *testing.T, o FileOptions) (*File, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "__stdout")
	f, err := OpenFile(p, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, p
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// closeFile closes f and checks that neither Close nor anything before it failed.
func closeFile(t *testing.T, f *File) {
	t.Helper()
	if err := f.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := f.Err(); err != nil {
		t.Fatalf("Err: %v", err)
	}
}

func TestFileFormat(t *testing.T) {
	zone := time.FixedZone("CST", 8*3600)
	start := time.Date(2024, 5, 6, 15, 4, 5, 123_400_000, zone)
	times := []time.Time{start, start.Add(300 * time.Microsecond), start.Add(time.Millisecond), start.In(time.UTC)}
	i := 0
	f, p := openLog(t, FileOptions{Timestamps: true, Now: func() time.Time { i++; return times[i-1] }})
	f.Line([]byte("hello"), logmux.Newline)
	f.Line([]byte("same millisecond"), logmux.Newline)
	f.Line([]byte("next\r"), logmux.Newline)
	f.Line(nil, logmux.Newline)
	f.SetOptions(FileOptions{})
	f.Line([]byte("plain \x00\xff"), logmux.Newline)
	f.Line(nil, logmux.Newline)
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"2024-05-06T15:04:05.123+08:00 hello\n" +
		"2024-05-06T15:04:05.123+08:00 same millisecond\n" +
		"2024-05-06T15:04:05.124+08:00 next\r\n" +
		"2024-05-06T07:04:05.123Z \n" +
		"plain \x00\xff\n" +
		"\n"
	if got := readFile(t, p); got != want {
		t.Errorf("file mismatch\ngot:  %q\nwant: %q", got, want)
	}
	// The layout parses back as RFC 3339.
	ts, _, _ := strings.Cut(want, " ")
	if got, err := time.Parse(time.RFC3339Nano, ts); err != nil || !got.Equal(start.Truncate(time.Millisecond)) {
		t.Errorf("%q parses as %v, %v", ts, got, err)
	}
	closeFile(t, f)
}

func TestFileContPieces(t *testing.T) {
	f, p := openLog(t, FileOptions{Timestamps: true, Now: stepClock(time.Date(2024, 5, 6, 15, 4, 5, 0, time.UTC), time.Second)})
	f.Line([]byte("ab"), logmux.Cut)
	f.Line([]byte("cd"), logmux.Cut)
	f.SetOptions(FileOptions{Timestamps: false, MaxSize: 1, Keep: 1}) // from the next line: no timestamp, no rotation mid-line
	f.Line([]byte("ef"), logmux.Newline)
	f.Line([]byte("gh"), logmux.Cut)
	f.Flush() // a flush between pieces does not end the line
	f.Line([]byte(""), logmux.Cut)
	f.Line([]byte("ij"), logmux.Newline)
	closeFile(t, f)
	names, _ := RotatedFiles(p)
	if len(names) != 1 {
		t.Fatalf("rotated files %q, want 1", names)
	}
	if got, want := readFile(t, names[0])+readFile(t, p), "2024-05-06T15:04:05.000Z abcdef\nghij\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := readFile(t, p); got != "ghij\n" {
		t.Errorf("current file %q: the rotation was not at the line boundary", got)
	}
}

// A line the child paused in is one line in the file, however long the pauses:
// the pieces join, its newline ends it, and a PauseEnd ends it when the rest was
// empty (its newline alone, or the end of the stream); a PauseEnd with no line
// under way writes nothing.
func TestFilePausedLines(t *testing.T) {
	f, p := openLog(t, FileOptions{Timestamps: true, Now: stepClock(time.Date(2024, 5, 6, 15, 4, 5, 0, time.UTC), time.Second)})
	f.Line([]byte("progress: "), logmux.Pause)
	f.Flush() // the piece is on disk while the line waits for its rest
	f.Line([]byte("."), logmux.Pause)
	f.Line([]byte(". done"), logmux.Newline)
	f.Line([]byte("10 MB line"), logmux.Pause)
	f.Line(nil, logmux.PauseEnd)
	f.Line(nil, logmux.PauseEnd)
	f.Line([]byte("last"), logmux.Newline)
	closeFile(t, f)
	want := "2024-05-06T15:04:05.000Z progress: .. done\n" +
		"2024-05-06T15:04:06.000Z 10 MB line\n" +
		"2024-05-06T15:04:07.000Z last\n"
	if got := readFile(t, p); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A line that goes on past MaxFileLine is cut there, the piece marked " …", and
// goes on in the next line of the file; a line of exactly MaxFileLine is whole.
func TestFileMaxLine(t *testing.T) {
	f, p := openLog(t, FileOptions{})
	whole := bytes.Repeat([]byte("w"), MaxFileLine)
	f.Line(whole[:logmux.MaxLine], logmux.Pause)
	f.Line(whole[logmux.MaxLine:], logmux.Newline)
	long := bytes.Repeat([]byte("x"), logmux.MaxLine)
	for range MaxFileLine / logmux.MaxLine {
		f.Line(long, logmux.Cut)
	}
	f.Line([]byte("rest"), logmux.Pause)
	f.Line(nil, logmux.PauseEnd)
	closeFile(t, f)
	want := string(whole) + "\n" + strings.Repeat("x", MaxFileLine) + " …\nrest\n"
	if got := readFile(t, p); got != want {
		t.Errorf("got %d bytes ending %q, want %d ending %q", len(got), got[max(0, len(got)-20):], len(want), want[len(want)-20:])
	}
}

// checkLogFiles reads the rotated files of p (in name order) and p, checking that each ends
// at a line boundary and is at most maxSize bytes (unless it holds a single line), and returns
// their concatenation.
func checkLogFiles(t *testing.T, p string, maxSize int) (all string, rotated int) {
	t.Helper()
	names, err := RotatedFiles(p)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, n := range append(names, p) {
		s := readFile(t, n)
		if s != "" && !strings.HasSuffix(s, "\n") {
			t.Errorf("%s does not end at a line boundary: ...%q", filepath.Base(n), s[max(len(s)-20, 0):])
		}
		if len(s) > maxSize && strings.Count(s, "\n") > 1 {
			t.Errorf("%s is %d bytes, more than MaxSize %d", filepath.Base(n), len(s), maxSize)
		}
		b.WriteString(s)
	}
	return b.String(), len(names)
}

func TestFileRotation(t *testing.T) {
	for _, tc := range []struct {
		name string
		step time.Duration // 0: every rotation in the same millisecond, so names get -N
		keep int
	}{
		{"keep 3", time.Millisecond, 3},
		{"keep all", time.Millisecond, 1000},
		{"keep all, one millisecond", 0, 1000},
		{"keep none", time.Millisecond, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const maxSize = 1000
			f, p := openLog(t, FileOptions{Timestamps: true, MaxSize: maxSize, Keep: tc.keep,
				Now: stepClock(time.Date(2024, 5, 6, 15, 4, 5, 0, time.Local), tc.step)})
			var written bytes.Buffer
			for i := range 2000 {
				line := fmt.Appendf(nil, "line %d %s", i, strings.Repeat("x", i%97))
				f.Line(line, logmux.Newline)
				written.Write(line)
				written.WriteByte('\n')
				if i%7 == 0 {
					f.Flush()
				}
			}
			closeFile(t, f)

			all, rotated := checkLogFiles(t, p, maxSize)
			// Remove the timestamps to compare with what was written.
			stripped := regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[-+Z][0-9:]* `).ReplaceAllString(all, "")
			if strings.Count(stripped, "\n") != strings.Count(all, "\n") || len(all)-len(stripped) != strings.Count(all, "\n")*len(time.Now().Format(TimestampLayout)+" ") {
				t.Fatal("not every line starts with a timestamp")
			}
			if tc.keep >= 1000 {
				if stripped != written.String() {
					t.Fatalf("rotated files + current differ from what was written (%d vs %d bytes)", len(stripped), written.Len())
				}
				if rotated < 100 {
					t.Errorf("only %d rotations", rotated)
				}
				return
			}
			if rotated != tc.keep {
				t.Errorf("%d rotated files, want %d", rotated, tc.keep)
			}
			if !strings.HasSuffix(written.String(), stripped) || (stripped != "" && !strings.HasSuffix(strings.TrimSuffix(written.String(), stripped), "\n")) {
				t.Errorf("the kept files are not the whole lines at the end of what was written")
			}
		})
	}
}

func TestFileLongLine(t *testing.T) {
	f, p := openLog(t, FileOptions{Timestamps: true, MaxSize: 1000, Keep: 5})
	f.Line([]byte("before"), logmux.Newline)
	var long []byte
	for i := range 16 {
		piece := bytes.Repeat([]byte{byte('a' + i)}, logmux.MaxLine)
		long = append(long, piece...)
		end := logmux.Cut
		if i == 15 {
			end = logmux.Newline
		}
		f.Line(piece, end)
		if i%5 == 0 {
			f.Flush()
		}
	}
	f.Line([]byte("after"), logmux.Newline)
	closeFile(t, f)

	all, rotated := checkLogFiles(t, p, 1000)
	if rotated != 2 {
		t.Errorf("%d rotations, want 2 (before the long line, and after it)", rotated)
	}
	lines := strings.Split(strings.TrimSuffix(all, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3", len(lines))
	}
	_, got, _ := strings.Cut(lines[1], " ")
	if got != string(long) {
		t.Errorf("the 1 MiB line came back as %d bytes", len(got))
	}
	if !strings.HasSuffix(lines[0], " before") || !strings.HasSuffix(lines[2], " after") {
		t.Errorf("lines around it: %q, %q", lines[0], lines[2])
	}
}

func TestFileConcurrent(t *testing.T) {
	const writers, lines = 4, 5000
	f, p := openLog(t, FileOptions{Timestamps: true, MaxSize: 64 << 10, Keep: 1000})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range lines {
				f.Line(fmt.Appendf(nil, "writer %d line %d %s", w, i, strings.Repeat("y", i%200)), logmux.Newline)
				if i%10 == 0 {
					f.Flush()
				}
			}
		})
	}
	wg.Wait()
	closeFile(t, f)

	all, rotated := checkLogFiles(t, p, 64<<10)
	if rotated < 10 {
		t.Errorf("only %d rotations", rotated)
	}
	re := regexp.MustCompile(`^\S+ writer (\d) line (\d+) (y*)$`)
	next := make([]int, writers)
	for _, l := range strings.Split(strings.TrimSuffix(all, "\n"), "\n") {
		m := re.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("malformed line %q", l)
		}
		w, _ := strconv.Atoi(m[1])
		i, _ := strconv.Atoi(m[2])
		if i != next[w] || len(m[3]) != i%200 {
			t.Fatalf("writer %d: line %d, want %d", w, i, next[w])
		}
		next[w]++
	}
	for w, n := range next {
		if n != lines {
			t.Errorf("writer %d: %d lines, want %d", w, n, lines)
		}
	}
}

func TestFileReopen(t *testing.T) {
	p := filepath.Join(t.TempDir(), "__stderr")
	o := FileOptions{MaxSize: 1000, Keep: 10}
	f, err := OpenFile(p, o)
	if err != nil {
		t.Fatal(err)
	}
	first := strings.Repeat("a", 599)
	f.Line([]byte(first), logmux.Newline)
	closeFile(t, f)

	f, err = OpenFile(p, o)
	if err != nil {
		t.Fatal(err)
	}
	f.Line([]byte("fits"), logmux.Newline)
	f.Line([]byte(strings.Repeat("b", 399)), logmux.Newline) // 600+5+400 > 1000: rotates
	closeFile(t, f)
	names, _ := RotatedFiles(p)
	if len(names) != 1 {
		t.Fatalf("rotated %q, want one file: the reopened file's size was not counted", names)
	}
	if got, want := readFile(t, names[0]), first+"\nfits\n"; got != want {
		t.Errorf("rotated file = %q, want %q", got, want)
	}
	if got, want := readFile(t, p), strings.Repeat("b", 399)+"\n"; got != want {
		t.Errorf("current file = %q, want %q", got, want)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v; want 0600", fi.Mode(), err)
	}

	// A file left in the middle of a line gets its newline before the next line.
	if err := os.WriteFile(p, []byte("cut sho"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err = OpenFile(p, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.Line([]byte("next"), logmux.Newline)
	closeFile(t, f)
	if got := readFile(t, p); got != "cut sho\nnext\n" {
		t.Errorf("got %q", got)
	}
}

func TestFileErrors(t *testing.T) {
	// A full disk: no panic, no blocking, the error is kept once.
	f, err := OpenFile("/dev/full", FileOptions{Timestamps: true})
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	f.Line([]byte("lost"), logmux.Newline)
	if err := f.Flush(); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("Flush = %v, want ENOSPC", err)
	}
	f.Line(bytes.Repeat([]byte("z"), logmux.MaxLine), logmux.Newline) // a direct write fails too
	if err := f.Err(); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("Err = %v, want ENOSPC", err)
	}
	if err := f.Err(); err != nil {
		t.Errorf("Err after Err = %v, want nil", err)
	}
	f.Close()

	// A rotation that cannot rename: writing goes on in the current file.
	dir := t.TempDir()
	p := filepath.Join(dir, "log", "__stdout")
	os.Mkdir(filepath.Dir(p), 0o755)
	f, err = OpenFile(p, FileOptions{MaxSize: 10, Keep: 1})
	if err != nil {
		t.Fatal(err)
	}
	f.Line([]byte("0123456789"), logmux.Newline)
	f.Flush()
	if err := os.RemoveAll(filepath.Dir(p)); err != nil {
		t.Fatal(err)
	}
	f.Line([]byte("more"), logmux.Newline)
	f.Line([]byte("and more"), logmux.Newline)
	if err := f.Err(); err == nil || !strings.Contains(err.Error(), "rotate") {
		t.Errorf("Err = %v, want the rotation error", err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}

	// After Close.
	if err := f.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second Close = %v", err)
	}
	f.Line([]byte("late"), logmux.Newline)
	if err := f.Err(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Err after a Line after Close = %v", err)
	}
	if err := f.Flush(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Flush after Close = %v", err)
	}
}

func TestFileNoAllocs(t *testing.T) {
	f, _ := openLog(t, FileOptions{Timestamps: true, MaxSize: 1 << 20, Keep: 1})
	line := []byte("GET /index.html 200 1234 0.002s")
	f.Line(line, logmux.Newline)
	if n := testing.AllocsPerRun(10000, func() { f.Line(line, logmux.Newline) }); n > 0 {
		t.Errorf("%v allocations per line, want 0", n)
	}
}

// BenchmarkFileLine writes timestamped 80-byte lines, flushing every 50 lines (about every
// read chunk of a pump), into a file rotated at 50 MB.
func BenchmarkFileLine(b *testing.B) {
	f, err := OpenFile(filepath.Join(b.TempDir(), "__stdout"), FileOptions{Timestamps: true, MaxSize: 50e6, Keep: 2})
	if err != nil {
		b.Fatal(err)
	}
	line := []byte(strings.Repeat("0123456789", 8))
	b.SetBytes(int64(len(line)) + 1)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		f.Line(line, logmux.Newline)
		if i++; i%50 == 0 {
			f.Flush()
		}
	}
	b.StopTimer()
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := f.Err(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
