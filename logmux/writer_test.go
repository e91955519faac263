package logmux

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A console nobody reads never blocks the modules (a module's pump, which paces
// itself as this producer does, waits at most stallAfter, once); when it drains,
// it shows every line it kept, whole and in order, and says how many it did not.
func TestAsyncConsoleNeverBlocks(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	c := NewConsole(w, Options{Buffer: 100})
	c.Add("web")
	const lines = 100000
	produced := make(chan struct{})
	go func() {
		for i := range lines {
			c.Line("web", Stdout, []byte("line "+strconv.Itoa(i)))
			c.Pace("web")
		}
		close(produced)
	}()
	select {
	case <-produced: // nothing read the pipe all this time
	case <-time.After(60 * time.Second): // blocked, it would never finish; under -race on a loaded machine it took 10 s
		t.Fatal("a blocked console blocked the producer")
	}
	go func() { c.Close(); w.Close() }()

	shown, dropped, last := 0, 0, -1
	notice := regexp.MustCompile(`^web +\| \[svman: (\d+) lines not shown, see svman logs web\]$`)
	line := regexp.MustCompile(`^web +\| line (\d+)$`)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if m := notice.FindStringSubmatch(sc.Text()); m != nil {
			n, _ := strconv.Atoi(m[1])
			dropped += n
			continue
		}
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("a line is not whole: %q", sc.Text())
		}
		n, _ := strconv.Atoi(m[1])
		if n <= last {
			t.Fatalf("line %d after line %d", n, last)
		}
		last = n
		shown++
	}
	if shown+dropped != lines || dropped == 0 {
		t.Errorf("shown %d + not shown %d, want %d with some not shown", shown, dropped, lines)
	}
	if got := c.Dropped(); got != int64(dropped) {
		t.Errorf("Dropped() = %d, want the %d lines the notices said were not shown", got, dropped)
	}
}

func TestAsyncConsoleKeepsOrderWhenItKeepsUp(t *testing.T) {
	var out strings.Builder
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() { io.Copy(&out, pr); close(done) }()
	c := NewConsole(pw, Options{Buffer: 1 << 20})
	for i := range 1000 {
		c.Line("a", Stdout, []byte(fmt.Sprint(i)))
		c.Systemf("event %d", i)
	}
	c.Close()
	pw.Close()
	<-done
	want := 0
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if strings.HasPrefix(l, "a ") {
			if l != fmt.Sprintf("a     | %d", want) {
				t.Fatalf("line %q, want %d", l, want)
			}
			want++
		}
	}
	if want != 1000 {
		t.Errorf("%d lines shown, want 1000", want)
	}
}

// TestShowRaw: Raw writes the shown module's bytes as they are, colors
// included, whatever StripANSI says; svman's own lines go to System.
func TestShowRaw(t *testing.T) {
	var out, sys strings.Builder
	c := NewConsole(&out, Options{Show: func(n string) bool { return n == "web" }, Raw: true, System: &sys, StripANSI: true})
	c.Line("web", Stdout, []byte("\x1b[32mgreen\x1b[0m"))
	c.Line("db", Stdout, []byte("hidden"))
	c.Systemf("web started")
	if out.String() != "\x1b[32mgreen\x1b[0m\n" {
		t.Errorf("raw output = %q", out.String())
	}
	if !strings.Contains(sys.String(), "svman | web started") {
		t.Errorf("svman's lines = %q", sys.String())
	}
}

// The console is written in pieces of about writeChunk bytes, each of whole lines.
func TestChunkEnd(t *testing.T) {
	line := strings.Repeat("x", 99) + "\n"
	many := []byte(strings.Repeat(line, 2*writeChunk/len(line)))
	if n := chunkEnd(many); n > writeChunk || n < writeChunk-len(line) || many[n-1] != '\n' {
		t.Errorf("chunkEnd of short lines = %d", n)
	}
	long := []byte(strings.Repeat("y", writeChunk+10) + "\n" + line)
	if n := chunkEnd(long); n != writeChunk+11 {
		t.Errorf("chunkEnd of a long line = %d, want %d", n, writeChunk+11)
	}
	if n := chunkEnd([]byte(line)); n != len(line) {
		t.Errorf("chunkEnd of one line = %d", n)
	}
	tail := []byte(strings.Repeat("z", writeChunk+5))
	if n := chunkEnd(tail); n != len(tail) {
		t.Errorf("chunkEnd without newline = %d, want all", n)
	}
}
