package logmux

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fixedClock returns a clock stuck at 15:04:05 local time.
func fixedClock() func() time.Time {
	t := time.Date(2024, 5, 6, 15, 4, 5, 0, time.Local)
	return func() time.Time { return t }
}

func TestConsoleGolden(t *testing.T) {
	var out bytes.Buffer
	c := NewConsole(&out, Options{Timestamps: true, Now: fixedClock()})
	c.Add("web")
	c.Add("worker")
	c.Line("web", Stdout, []byte("Serving HTTP on 0.0.0.0 port 8080"))
	c.Line("worker", Stderr, []byte("warning: queue empty"))
	c.Systemf("web started, pid %d", 1234)
	c.Line("web", Stdout, []byte("crlf line\r"))
	c.Line("web", Stdout, nil)
	c.LineCont("worker", Stdout, []byte("cut here"), true)
	c.Line("worker", Stdout, []byte("and the rest"))
	c.Systemf("two\nlines\n")

	want := "" +
		"15:04:05 web    | Serving HTTP on 0.0.0.0 port 8080\n" +
		"15:04:05 worker ! warning: queue empty\n" +
		"15:04:05 svman  | web started, pid 1234\n" +
		"15:04:05 web    | crlf line\n" +
		"15:04:05 web    |\n" +
		"15:04:05 worker | cut here …\n" +
		"15:04:05 worker | and the rest\n" +
		"15:04:05 svman  | two\n" +
		"15:04:05 svman  | lines\n"
	if got := out.String(); got != want {
		t.Errorf("output mismatch\ngot:\n%s\nwant:\n%s", got, want)
	}
}

func TestConsolePaddingAndNoTimestamps(t *testing.T) {
	var out bytes.Buffer
	c := NewConsole(&out, Options{})
	c.Add("a")
	c.Line("a", Stdout, []byte("x")) // width is at least len("svman")
	c.Add("a-much-longer-name-than-the-padding-chunk-of-32")
	c.Line("a", Stderr, []byte("y"))
	c.Line("new", Stdout, []byte("z")) // never added: registered on first use

	pad := strings.Repeat(" ", len("a-much-longer-name-than-the-padding-chunk-of-32")-1)
	want := "" +
		"a     | x\n" +
		"a" + pad + " ! y\n" +
		"new" + pad[2:] + " | z\n"
	if got := out.String(); got != want {
		t.Errorf("output mismatch\ngot:\n%q\nwant:\n%q", got, want)
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestConsoleColor(t *testing.T) {
	var out bytes.Buffer
	c := NewConsole(&out, Options{Color: true, Timestamps: true, Now: fixedClock()})
	names := make([]string, len(palette)+2)
	for i := range names {
		names[i] = fmt.Sprintf("m%02d", i)
		c.Add(names[i])
	}
	c.Add(names[0]) // re-adding keeps the color
	text := "text \x1b stays \xff as is"
	prefixes := map[string]string{}
	for _, n := range names {
		out.Reset()
		c.Line(n, Stdout, []byte(text))
		line := out.String()
		prefix, ok := strings.CutSuffix(line, " "+text+"\n")
		if !ok {
			t.Fatalf("%s: text changed: %q", n, line)
		}
		if !ansi.MatchString(prefix) {
			t.Errorf("%s: prefix has no ANSI escape: %q", n, prefix)
		}
		if plain := ansi.ReplaceAllString(prefix, ""); plain != "15:04:05 "+n+"   |" {
			t.Errorf("%s: prefix without escapes = %q", n, plain)
		}
		prefixes[n] = ansi.FindString(prefix)
	}
	for i := range len(palette) {
		for j := range i {
			if prefixes[names[i]] == prefixes[names[j]] {
				t.Errorf("%s and %s share color %q", names[i], names[j], prefixes[names[i]])
			}
		}
	}
	// The palette wraps around.
	if a, b := prefixes[names[0]], prefixes[names[len(palette)]]; a != b {
		t.Errorf("palette does not wrap: %q vs %q", a, b)
	}
	if got := prefixes[names[0]]; got != "\x1b[36m" {
		t.Errorf("first module color = %q, want cyan", got)
	}

	out.Reset()
	c.Systemf("hello")
	if got := out.String(); !strings.HasPrefix(got, "\x1b[1m15:04:05 svman") {
		t.Errorf("svman line not bold: %q", got)
	}
}

// lineWriter checks that no two Writes overlap and records each Write as one unit.
type lineWriter struct {
	inFlight atomic.Int32
	overlap  atomic.Bool
	mu       sync.Mutex
	writes   []string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	if w.inFlight.Add(1) != 1 {
		w.overlap.Store(true)
	}
	defer w.inFlight.Add(-1)
	w.mu.Lock()
	w.writes = append(w.writes, string(p))
	w.mu.Unlock()
	return len(p), nil
}

func TestConsoleConcurrent(t *testing.T) {
	const goroutines, lines = 8, 2000
	var w lineWriter
	c := NewConsole(&w, Options{Timestamps: true, Color: true})
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			name := fmt.Sprintf("mod%d", g)
			s := Stream(g % 2)
			for i := range lines {
				c.Line(name, s, fmt.Appendf(nil, "goroutine %d line %d %s", g, i, strings.Repeat("x", i%300)))
			}
		})
	}
	wg.Wait()

	if w.overlap.Load() {
		t.Error("Console issued overlapping Write calls")
	}
	if len(w.writes) != goroutines*lines {
		t.Fatalf("got %d writes, want %d", len(w.writes), goroutines*lines)
	}
	re := regexp.MustCompile(`^\d\d:\d\d:\d\d mod(\d) +[|!] goroutine (\d) line (\d+) (x*)\n$`)
	next := make([]int, goroutines)
	for _, wr := range w.writes {
		plain := ansi.ReplaceAllString(wr, "")
		m := re.FindStringSubmatch(plain)
		if m == nil {
			t.Fatalf("malformed line %q", wr)
		}
		var g, i int
		fmt.Sscan(m[2], &g)
		fmt.Sscan(m[3], &i)
		if m[1] != m[2] || i != next[g] || len(m[4]) != i%300 {
			t.Fatalf("line out of order or damaged: %q (want line %d)", plain, next[g])
		}
		next[g]++
	}
}

func BenchmarkConsole(b *testing.B) {
	c := NewConsole(io.Discard, Options{Color: true, Timestamps: true})
	c.Add("web")
	c.Add("worker")
	line := []byte("127.0.0.1 - - [06/May/2024 15:04:05] \"GET /index.html HTTP/1.1\" 200 -")
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		c.Line("web", Stream(n&1), line)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}
