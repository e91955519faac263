package logfiles

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"svman/internal/testkit"
)

func TestLogsFollowAppend(t *testing.T) {
	dir := t.TempDir()
	out := writeFile(t, dir, "__stdout", stamped(at(0), "old 1"), stamped(at(1), "old 2"))
	f := startFollow(t, []Source{{"m", dir}}, Options{Tail: 1})
	f.expect(t, "m stdout old 2")

	appendFile(t, out, stamped(time.Now(), "new 1"))
	f.expect(t, "m stdout new 1")
	// A line written in pieces is given once whole.
	appendFile(t, out, time.Now().Format(TimestampLayout)+" new")
	appendFile(t, out, " 2\n")
	// stderr starts being written.
	appendFile(t, filepath.Join(dir, "__stderr"), stamped(time.Now(), "err 1"))
	f.expect(t, "m stdout new 2", "m stderr err 1")
	// A restarted svman reopens the file and goes on appending.
	appendFile(t, out, stamped(time.Now(), "after restart"))
	f.expect(t, "m stdout after restart")
	f.stop(t)
}

func TestLogsFollowOnlyNew(t *testing.T) {
	dir := t.TempDir()
	// The last line is unfinished: it is given once it is whole.
	out := writeFile(t, dir, "__stdout", stamped(at(0), "old"), strings.TrimSuffix(stamped(at(1), "half of a"), "\n"))
	following := make(chan struct{})
	testHookFollowing = func() { close(following) }
	defer func() { testHookFollowing = nil }()
	f := startFollow(t, []Source{{"m", dir}}, Options{Tail: -1})
	select {
	case <-following:
	case <-testkit.Within():
		t.Fatal("Read did not start following")
	}
	appendFile(t, out, " line\n"+stamped(time.Now(), "new"))
	f.expect(t, "m stdout half of a line", "m stdout new")
}

func TestLogsFollowLateDirectories(t *testing.T) {
	root := t.TempDir()
	early := filepath.Join(root, "status", "early")
	late := filepath.Join(root, "status", "late")
	deep := filepath.Join(root, "other", "status", "deep") // no parent either
	writeFile(t, early, "__stdout", stamped(at(0), "early"))
	f := startFollow(t, []Source{{"early", early}, {"late", late}, {"deep", deep}}, Options{})
	f.expect(t, "early stdout early")

	writeFile(t, late, "__stderr", stamped(time.Now(), "late err"))
	f.expect(t, "late stderr late err")
	writeFile(t, deep, "__stdout", stamped(time.Now(), "deep 1"))
	f.expect(t, "deep stdout deep 1")
	appendFile(t, filepath.Join(deep, "__stdout"), stamped(time.Now(), "deep 2"))
	f.expect(t, "deep stdout deep 2")

	// The directory removed and made again: the new files are read from the start.
	if err := os.RemoveAll(late); err != nil {
		t.Fatal(err)
	}
	writeFile(t, late, "__stdout", stamped(time.Now(), "late again"))
	f.expect(t, "late stdout late again")
}

// rotatingWriter writes a module's stdout as svman does: appending, and, every so
// many lines, renaming the file to its rotated name and starting a new one.
type rotatingWriter struct {
	path  string
	every int
	f     *os.File
}

func (w *rotatingWriter) write(line string, pieces bool) error {
	b := []byte(stamped(time.Now(), line))
	if pieces { // as a long line is written: in more than one write
		if _, err := w.f.Write(b[:len(b)/2]); err != nil {
			return err
		}
		b = b[len(b)/2:]
	}
	_, err := w.f.Write(b)
	return err
}

func (w *rotatingWriter) rotate() error {
	name := w.path + "." + time.Now().Format(rotatedLayout)
	for i := 1; ; i++ {
		if _, err := os.Lstat(name); err != nil {
			break
		}
		name = w.path + "." + time.Now().Format(rotatedLayout) + "-" + strconv.Itoa(i)
	}
	if err := os.Rename(w.path, name); err != nil {
		return err
	}
	nf, err := os.OpenFile(w.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	w.f.Close()
	w.f = nf
	return nil
}

func (w *rotatingWriter) run(n int) error {
	var err error
	if w.f, err = os.OpenFile(w.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err != nil {
		return err
	}
	defer w.f.Close()
	for i := range n {
		if err := w.write(fmt.Sprintf("line %d", i), i%7 == 3); err != nil {
			return err
		}
		if i%w.every == w.every-1 {
			if err := w.rotate(); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestLogsFollowRotation(t *testing.T) {
	const n = 10000
	root := t.TempDir()
	mods := []string{"one", "two"}
	var srcs []Source
	for _, m := range mods {
		dir := filepath.Join(root, m)
		// Some lines before: half in a rotated file, half in the current one.
		writeFile(t, dir, "__stdout.2026-11-24T15-04-05.000", stamped(at(0), "before 0"))
		writeFile(t, dir, "__stdout", stamped(at(1), "before 1"))
		srcs = append(srcs, Source{m, dir})
	}
	f := startFollow(t, srcs, Options{})
	f.expect(t, "one stdout before 0", "two stdout before 0", "one stdout before 1", "two stdout before 1")

	var wg sync.WaitGroup
	errs := make(chan error, len(mods))
	for i, s := range srcs {
		w := &rotatingWriter{path: filepath.Join(s.Dir, "__stdout"), every: 200 + 300*i}
		wg.Go(func() { errs <- w.run(n) })
	}
	next := map[string]int{}
	for range n * len(mods) {
		l := f.next(t)
		if want := fmt.Sprintf("line %d", next[l.Module]); string(l.Text) != want {
			t.Fatalf("%s: got %q, want %q", l.Module, l.Text, want)
		}
		next[l.Module]++
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Nothing given twice: the next line is the one written now.
	for _, s := range srcs {
		appendFile(t, filepath.Join(s.Dir, "__stdout"), stamped(time.Now(), "end"))
		f.expect(t, s.Module+" stdout end")
	}
	rotated, _ := filepath.Glob(filepath.Join(srcs[0].Dir, "__stdout.*"))
	if len(rotated) < n/200 {
		t.Errorf("%d rotated files, want %d or more", len(rotated), n/200)
	}
	f.stop(t)
}
