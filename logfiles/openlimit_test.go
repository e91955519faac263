package logfiles

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"svman/logmux"
)

// maxOpen bounds the Files of the test to n descriptors until it ends.
func maxOpen(t *testing.T, n int) {
	t.Helper()
	SetMaxOpen(n)
	t.Cleanup(func() { SetMaxOpen(0) })
}

// fdsUnder is how many descriptors of the process are open on files under dir.
func fdsUnder(t *testing.T, dir string) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Errorf("no /proc/self/fd: %v", err)
		return 0
	}
	n := 0
	for _, e := range ents {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && strings.HasPrefix(target, dir+"/") {
			n++
		}
	}
	return n
}

// Many Files written at once under a bound far below their number: every line
// arrives once, whole and in order in its file (and its rotations), and the
// Files never hold more descriptors than the bound. The descriptors are
// counted between rounds of writes, when none is being opened or closed: a
// count taken while they are would see one file at two descriptors.
func TestFilesWithinMaxOpen(t *testing.T) {
	const files, rounds, perRound, limit = 24, 10, 30, 4
	dir := t.TempDir()
	maxOpen(t, limit)

	lfs := make([]*File, files)
	for i := range lfs {
		o := FileOptions{}
		if i%3 == 0 {
			o.MaxSize, o.Keep = 2048, 1000 // rotations while parked and reopened
		}
		lfs[i] = NewFile(filepath.Join(dir, fmt.Sprintf("f%02d", i)), o)
	}
	for r := range rounds {
		var writers sync.WaitGroup
		for i, lf := range lfs {
			writers.Go(func() {
				for n := r * perRound; n < (r+1)*perRound; n++ {
					text := fmt.Sprintf("f%02d line %04d", i, n)
					if n%4 == 0 {
						// A line in pieces, a flush between them, as a child that pauses.
						lf.Line([]byte(text[:5]), logmux.Pause)
						lf.Flush()
						lf.Line([]byte(text[5:]), logmux.Newline)
					} else {
						lf.Line([]byte(text), logmux.Newline)
					}
					if n%3 == 0 {
						lf.Flush()
					}
				}
				lf.Flush()
			})
		}
		writers.Wait()
		if n := fdsUnder(t, dir); n > limit {
			t.Errorf("round %d: %d descriptors open on the log files, want at most %d", r, n, limit)
		}
	}
	for i, lf := range lfs {
		if err := lf.Err(); err != nil {
			t.Errorf("f%02d: %v", i, err)
		}
		if err := lf.Close(); err != nil {
			t.Errorf("f%02d: %v", i, err)
		}
	}

	for i := range lfs {
		path := filepath.Join(dir, fmt.Sprintf("f%02d", i))
		names, err := RotatedFiles(path)
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for _, name := range append(names, path) {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			got.Write(b)
		}
		var want strings.Builder
		for n := range rounds * perRound {
			fmt.Fprintf(&want, "f%02d line %04d\n", i, n)
		}
		if g, w := strings.SplitAfter(got.String(), "\n"), strings.SplitAfter(want.String(), "\n"); !slices.Equal(g, w) {
			for n := range min(len(g), len(w)) {
				if g[n] != w[n] {
					t.Errorf("f%02d: line %d is %q, want %q", i, n, g[n], w[n])
					break
				}
			}
			t.Errorf("f%02d: %d lines, want %d", i, len(g), len(w))
		}
		if i%3 == 0 && len(names) == 0 {
			t.Errorf("f%02d was never rotated", i)
		}
	}
}

// A file parked in the middle of a line goes on with it when it is opened
// again: no newline is added, as OpenFile adds to a file a writer left
// in the middle of a line.
func TestParkedFileGoesOnWithItsLine(t *testing.T) {
	dir := t.TempDir()
	maxOpen(t, 1)
	a := NewFile(filepath.Join(dir, "a"), FileOptions{})
	b := NewFile(filepath.Join(dir, "b"), FileOptions{})
	a.Line([]byte("hel"), logmux.Pause)
	a.Flush()
	b.Line([]byte("other"), logmux.Newline) // takes a's slot
	b.Flush()
	if n := fdsUnder(t, dir); n != 1 {
		t.Errorf("%d descriptors open on the log files, want 1", n)
	}
	a.Line([]byte("lo"), logmux.Newline)
	a.Line([]byte("next"), logmux.Newline)
	for _, f := range []*File{a, b} {
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]string{"a": "hello\nnext\n", "b": "other\n"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s holds %q, want %q", name, got, want)
		}
	}
}

// A parked Text file in the middle of a line that cannot be opened again when
// its format becomes JSON drops the line and says why; it does not fail.
func TestFormatChangeOfAParkedFileThatCannotOpen(t *testing.T) {
	maxOpen(t, 1)
	root := t.TempDir()
	gone := filepath.Join(root, "gone")
	if err := os.Mkdir(gone, 0o700); err != nil {
		t.Fatal(err)
	}
	a := NewFile(filepath.Join(gone, "__stdout"), FileOptions{})
	defer a.Close()
	a.Line([]byte("half a li"), logmux.Pause)
	a.Flush()
	b := NewFile(filepath.Join(root, "__stdout"), FileOptions{})
	defer b.Close()
	b.Line([]byte("b's line"), logmux.Newline) // takes the one slot: a is parked
	b.Flush()
	if err := os.RemoveAll(gone); err != nil {
		t.Fatal(err)
	}
	a.SetOptions(FileOptions{Format: JSON})
	if err := a.Err(); err == nil {
		t.Error("the file that could not be opened again reports no error")
	}
}
