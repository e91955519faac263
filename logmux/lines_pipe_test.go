package logmux

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"svman/internal/testkit"
)

type piece struct {
	line string
	end  End
}

func (p piece) String() string {
	l := p.line
	if len(l) > 40 {
		l = fmt.Sprintf("%s…(%d bytes)", l[:40], len(l))
	}
	return fmt.Sprintf("%q%s", l, [...]string{Newline: "", Cut: "+", Pause: "…", PauseEnd: "⏎"}[p.end])
}

// startLines runs a Lines on a fresh pipe. It returns the write end, the emitted pieces (copied,
// since emit must not retain the slice) and Lines's result.
func startLines(t *testing.T, idle time.Duration) (*os.File, *os.File, <-chan piece, <-chan error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	pieces := make(chan piece, 1<<14)
	done := make(chan error, 1)
	emit := func(line []byte, end End) { pieces <- piece{string(line), end} }
	go func() { done <- runLines(r, idle, emit) }()
	return w, r, pieces, done
}

// finish closes w, waits for Lines to return and collects the pieces.
func finish(t *testing.T, w *os.File, pieces <-chan piece, done <-chan error) []piece {
	t.Helper()
	w.Close()
	var got []piece
	for {
		select {
		case p := <-pieces:
			got = append(got, p)
		case err := <-done:
			if err != nil {
				t.Errorf("Lines returned %v, want nil at EOF", err)
			}
			for {
				select {
				case p := <-pieces:
					got = append(got, p)
				default:
					return got
				}
			}
		case <-testkit.Within():
			t.Fatal("Lines did not return after EOF")
		}
	}
}

// next waits for one piece.
func next(t *testing.T, pieces <-chan piece) piece {
	t.Helper()
	select {
	case p := <-pieces:
		return p
	case <-testkit.Within():
		t.Fatal("no line emitted")
		return piece{}
	}
}

func mustWrite(t *testing.T, w *os.File, s string) {
	t.Helper()
	if _, err := w.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// writeAsync writes s from another goroutine, for inputs larger than the pipe buffer that
// the pump must drain while the write is in progress.
func writeAsync(w *os.File, s string) <-chan error {
	errc := make(chan error, 1)
	go func() {
		_, err := w.WriteString(s)
		errc <- err
	}()
	return errc
}

// written waits for a writeAsync to complete.
func written(t *testing.T, errc <-chan error) {
	t.Helper()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-testkit.Within():
		t.Fatal("write did not complete")
	}
}

func lines(ss ...string) []piece {
	ps := make([]piece, len(ss))
	for i, s := range ss {
		ps[i] = piece{line: s}
	}
	return ps
}

func equal(t *testing.T, got, want []piece) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d pieces, want %d:\ngot  %v\nwant %v", len(got), len(want), got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("piece %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestLinesByteByByte(t *testing.T) {
	for _, idle := range []time.Duration{0, time.Hour} {
		w, _, pieces, done := startLines(t, idle)
		input := "hello world\n\nsecond line\nlast"
		for i := range len(input) {
			mustWrite(t, w, input[i:i+1])
		}
		equal(t, finish(t, w, pieces, done), lines("hello world", "", "second line", "last"))
	}
}

func TestLinesManyLinesOneWrite(t *testing.T) {
	w, _, pieces, done := startLines(t, time.Hour)
	var sb strings.Builder
	var want []string
	for i := range 3000 { // ~40 KiB: spans many 4 KiB reads, lines cut at read boundaries
		l := strings.Repeat(string(rune('a'+i%26)), i%17) + " line"
		want = append(want, l)
		sb.WriteString(l + "\n")
	}
	wrote := writeAsync(w, sb.String()) // larger than the pipe buffer
	got := make([]piece, 0, len(want))
	for range want {
		got = append(got, next(t, pieces))
	}
	equal(t, got, lines(want...))
	written(t, wrote)
	equal(t, finish(t, w, pieces, done), nil)
}

func TestLinesPartialAtEOF(t *testing.T) {
	w, _, pieces, done := startLines(t, time.Hour)
	mustWrite(t, w, "a\nb")
	equal(t, finish(t, w, pieces, done), lines("a", "b"))
}

func TestLinesPartialAfterIdle(t *testing.T) {
	w, _, pieces, done := startLines(t, 20*time.Millisecond)
	mustWrite(t, w, "password: ")
	// The writer keeps the pipe open: only the idle flush can produce this.
	if p := next(t, pieces); p != (piece{"password: ", Pause}) {
		t.Fatalf("got %v after idle", p)
	}
	mustWrite(t, w, "ok\nnext\n")
	equal(t, []piece{next(t, pieces), next(t, pieces)}, lines("ok", "next"))
	// The pump goes back to blocking without a deadline, and still idles out a new partial.
	mustWrite(t, w, "again")
	if p := next(t, pieces); p != (piece{"again", Pause}) {
		t.Fatalf("got %v after second idle", p)
	}
	// Its newline with nothing before it ends the paused line; the next one is empty.
	mustWrite(t, w, "\n\n")
	equal(t, []piece{next(t, pieces), next(t, pieces)}, []piece{{"", PauseEnd}, {"", Newline}})
	mustWrite(t, w, "third")
	if p := next(t, pieces); p != (piece{"third", Pause}) {
		t.Fatalf("got %v after third idle", p)
	}
	// Its line ends with the stream: nothing more to show, but a log file ends it.
	equal(t, finish(t, w, pieces, done), []piece{{"", PauseEnd}})
}

func TestLinesLongLines(t *testing.T) {
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte('a' + i%26)
	}
	for _, tc := range []struct {
		name    string
		size    int
		newline bool
		pieces  int
	}{
		{"1MiB", 1 << 20, true, 16},
		{"1MiB at EOF", 1 << 20, false, 16},
		{"MaxLine", MaxLine, true, 1},
		{"MaxLine at EOF", MaxLine, false, 1},
		{"MaxLine+1", MaxLine + 1, true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, _, pieces, done := startLines(t, time.Hour)
			in := string(big[:tc.size])
			if tc.newline {
				in += "\ntail\n" // the line after a long one is unaffected
			}
			wrote := writeAsync(w, in)
			var got []piece
			for {
				if !tc.newline && len(got) == tc.pieces-1 {
					// The last piece of a line without newline comes only at EOF.
					written(t, wrote)
					w.Close()
				}
				p := next(t, pieces)
				got = append(got, p)
				if p.end != Cut {
					break
				}
			}
			if tc.newline {
				written(t, wrote)
			}
			if len(got) != tc.pieces {
				t.Fatalf("got %d pieces, want %d", len(got), tc.pieces)
			}
			var joined strings.Builder
			for i, p := range got {
				if want := i < len(got)-1; (p.end == Cut) != want {
					t.Errorf("piece %d: %v, want a Cut piece: %v", i, p, want)
				}
				if p.end == Cut && len(p.line) != MaxLine {
					t.Errorf("piece %d: %d bytes, want MaxLine", i, len(p.line))
				}
				joined.WriteString(p.line)
			}
			if joined.String() != string(big[:tc.size]) {
				t.Fatalf("pieces do not concatenate to the input (%d vs %d bytes)", joined.Len(), tc.size)
			}
			var tail []piece
			if tc.newline {
				tail = lines("tail")
			}
			equal(t, finish(t, w, pieces, done), tail)
		})
	}
}

func TestLinesBytesUntouched(t *testing.T) {
	w, _, pieces, done := startLines(t, time.Hour)
	weird := "\xff\xfe\x00nul\x00 \xc3\x28 \xed\xa0\x80 \x1b[31m"
	mustWrite(t, w, weird+"\n\x00\n"+weird)
	equal(t, finish(t, w, pieces, done), lines(weird, "\x00", weird))
}

func TestLinesCRLF(t *testing.T) {
	// Lines keeps the "\r" (bytes untouched); the Console drops it.
	w, _, pieces, done := startLines(t, time.Hour)
	mustWrite(t, w, "one\r\ntwo\r\n\r\nmid\rdle\r\n")
	got := finish(t, w, pieces, done)
	equal(t, got, lines("one\r", "two\r", "\r", "mid\rdle\r"))

	var out bytes.Buffer
	c := NewConsole(&out, Options{})
	for _, p := range got {
		c.LineCont("web", Stdout, []byte(p.line), p.end == Cut)
	}
	want := "web   | one\nweb   | two\nweb   |\nweb   | mid\rdle\n"
	if out.String() != want {
		t.Errorf("console got %q, want %q", out.String(), want)
	}
}

func TestLinesReadError(t *testing.T) {
	w, r, pieces, done := startLines(t, 0)
	// One write is one read here, so once "line" is out, "partial" has been read as well.
	mustWrite(t, w, "line\npartial")
	equal(t, []piece{next(t, pieces)}, lines("line"))
	r.Close()
	select {
	case <-done: // a read of a closed pipe ends the stream
	case <-testkit.Within():
		t.Fatal("the stream did not end after its file was closed")
	}
	equal(t, []piece{next(t, pieces)}, lines("partial")) // nothing read is dropped
}

func BenchmarkLines(b *testing.B) {
	r, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	line := "127.0.0.1 - - [06/May/2024 15:04:05] \"GET /index.html HTTP/1.1\" 200 -\n"
	const batch = 64 // lines per write: a chatty child writing through a buffered stdout
	chunk := []byte(strings.Repeat(line, batch))
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()

	n := 0
	done := make(chan error, 1)
	go func() {
		done <- runLines(r, 100*time.Millisecond, func(_ []byte, end End) {
			// A line the writer paused in (a write the kernel split, a writer
			// descheduled for the idle time) comes in two pieces: count its end.
			if end == Newline || end == PauseEnd {
				n++
			}
		})
	}()
	b.ResetTimer()
	go func() {
		for i := 0; i < b.N; i += batch {
			w.Write(chunk[:min(batch, b.N-i)*len(line)])
		}
		w.Close()
	}()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if n != b.N {
		b.Fatalf("emitted %d lines, want %d", n, b.N)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}
