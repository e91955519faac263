package logmux

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestConsoleJSON writes a module's lines and svman's events on a JSON console,
// synchronous and asynchronous, and decodes every line back.
func TestConsoleJSON(t *testing.T) {
	for _, buffer := range []int{0, 16} {
		var out bytes.Buffer
		c := NewConsole(&out, Options{JSON: true, Now: fixedClock(), Buffer: buffer, Color: true, Escape: true, StripANSI: true,
			Show: func(name string) bool { return name != "hidden" }})
		var b Batch
		b.PID = 4242
		b.Add([]byte("first \x1b[31mred\x1b[0m\r"), Newline)
		b.Add([]byte("bytes \xff\xfe"), Newline)
		b.Add([]byte(strings.Repeat("x", 10)), Cut)
		c.WriteLines("web", Stderr, fixedClock()(), &b)
		c.WriteLines("hidden", Stdout, fixedClock()(), &b)
		c.Line("worker", Stdout, []byte(`{"a":1}`))
		c.Systemf("two\nlines")
		c.Event("web", "exited", "web (pid 4242) exited with code 3", Field{"pid", 4242}, Field{"code", 3}, Field{"signal", nil}, Field{"msg", "clash"})
		c.Close()

		want := []string{
			`{"ts":"2024-05-06T` + utc(15) + `:04:05.000000000Z","module":"web","stream":"stderr","pid":4242,"line":"first \u001b[31mred\u001b[0m\r"}`,
			`{"ts":"2024-05-06T` + utc(15) + `:04:05.000000000Z","module":"web","stream":"stderr","pid":4242,"line_b64":"Ynl0ZXMg//4="}`,
			`{"ts":"2024-05-06T` + utc(15) + `:04:05.000000000Z","module":"web","stream":"stderr","pid":4242,"line":"xxxxxxxxxx","cut":true}`,
			`{"ts":"2024-05-06T` + utc(15) + `:04:05.000000000Z","module":"worker","stream":"stdout","pid":null,"line":"{\"a\":1}"}`,
			`{"ts":"2024-05-06T` + utc(15) + `:04:05.000000000Z","module":"svman","event":"message","msg":"two\nlines"}`,
			`{"ts":"2024-05-06T` + utc(15) + `:04:05.000000000Z","module":"web","event":"exited","msg":"web (pid 4242) exited with code 3","pid":4242,"code":3,"signal":null}`,
		}
		if got := strings.TrimSuffix(out.String(), "\n"); got != strings.Join(want, "\n") {
			t.Errorf("buffer %d: got\n%s\nwant\n%s", buffer, got, strings.Join(want, "\n"))
		}
		for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Errorf("not JSON: %s: %v", line, err)
			}
		}
	}
}

// utc is the hour h of fixedClock's day in UTC, two digits.
func utc(h int) string {
	return time.Date(2024, 5, 6, h, 4, 5, 0, time.Local).UTC().Format("15")
}

// TestConsoleEventText: on a text console an event is its message.
func TestConsoleEventText(t *testing.T) {
	var out bytes.Buffer
	c := NewConsole(&out, Options{Now: fixedClock(), Timestamps: true})
	c.Event("web", "started", "web started, pid 7", Field{"pid", 7})
	if got, want := out.String(), "15:04:05 svman | web started, pid 7\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\s/", "\x00\x01\x1f\x7f\t\n\r", "é ü 日本 \u2028 🙂"} {
		got := AppendJSONString(nil, []byte(s))
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != s {
			t.Errorf("%q encodes as %s, which reads back as %q (%v)", s, got, back, err)
		}
	}
}

// A JSON console nobody reads drops lines as a text one does, and says how
// many in a "dropped" event of the module once it drains.
func TestAsyncJSONConsoleDropped(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	c := NewConsole(w, Options{Buffer: 100, JSON: true})
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
	case <-produced:
	case <-time.After(60 * time.Second):
		t.Fatal("a blocked console blocked the producer")
	}
	go func() { c.Close(); w.Close() }()

	shown, dropped, last := 0, 0, -1
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var o struct {
			Module, Event, Line, Msg string
			Lines                    int
		}
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil || o.Module != "web" {
			t.Fatalf("not a record of web: %q (%v)", sc.Text(), err)
		}
		if o.Event == "dropped" {
			if o.Msg != fmt.Sprintf("[svman: %d lines not shown, see svman logs web]", o.Lines) {
				t.Errorf("dropped event %q", sc.Text())
			}
			dropped += o.Lines
			continue
		}
		n, err := strconv.Atoi(strings.TrimPrefix(o.Line, "line "))
		if err != nil || n <= last {
			t.Fatalf("line %q after line %d", o.Line, last)
		}
		last = n
		shown++
	}
	if shown+dropped != lines || dropped == 0 {
		t.Errorf("shown %d + not shown %d, want %d with some not shown", shown, dropped, lines)
	}
}
