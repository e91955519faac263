package logfiles

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"svman/internal/testkit"
)

// t0 is the time of the first line of the tests' files.
var t0 = time.Date(2026, 11, 24, 15, 4, 5, 0, time.Local)

// at is t0 plus sec seconds.
func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

// stamped is a line of a log file: the time, a space, the text.
func stamped(t time.Time, text string) string {
	return t.Format(TimestampLayout) + " " + text + "\n"
}

// writeFile writes a file under dir (created if needed) with the given lines.
func writeFile(t *testing.T, dir, name string, lines ...string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// appendFile appends s to path.
func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// show is how the tests look at a line.
func show(l Line) string {
	return fmt.Sprintf("%s %s %s", l.Module, l.Stream, l.Text)
}

// readAll reads without following and returns the lines as show prints them.
func readAll(t *testing.T, srcs []Source, o Options) []string {
	t.Helper()
	var out []string
	err := Read(context.Background(), srcs, o, func(l Line) { out = append(out, show(l)) })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func equalLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got %d lines:\n%s\nwant %d:\n%s", len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
	}
}

// follower runs Read with Follow in the background.
type follower struct {
	lines  chan Line
	cancel context.CancelFunc
	done   chan error
}

func startFollow(t *testing.T, srcs []Source, o Options) *follower {
	t.Helper()
	o.Follow = true
	ctx, cancel := context.WithCancel(context.Background())
	f := &follower{lines: make(chan Line, 1<<16), cancel: cancel, done: make(chan error, 1)}
	go func() {
		f.done <- Read(ctx, srcs, o, func(l Line) {
			l.Text = append([]byte(nil), l.Text...)
			f.lines <- l
		})
	}()
	t.Cleanup(func() { f.stop(t) })
	return f
}

// next waits for the next line.
func (f *follower) next(t *testing.T) Line {
	t.Helper()
	select {
	case l := <-f.lines:
		return l
	case err := <-f.done:
		f.done <- err
		t.Fatalf("Read returned %v while following", err)
	case <-testkit.Within():
		t.Fatal("timed out waiting for a followed line")
	}
	return Line{}
}

// expect waits for exactly these lines, in this order.
func (f *follower) expect(t *testing.T, want ...string) {
	t.Helper()
	for i, w := range want {
		if got := show(f.next(t)); got != w {
			t.Fatalf("line %d: got %q, want %q", i, got, w)
		}
	}
}

// stop ends the Read, which must return nil, and checks no line is left unexpected.
func (f *follower) stop(t *testing.T) {
	t.Helper()
	if f.cancel == nil {
		return
	}
	f.cancel()
	f.cancel = nil
	select {
	case err := <-f.done:
		if err != nil {
			t.Errorf("Read: %v", err)
		}
	case <-testkit.Within():
		t.Fatal("Read did not return after its context ended")
	}
	select {
	case l := <-f.lines:
		t.Errorf("unexpected line %q", show(l))
	default:
	}
}
