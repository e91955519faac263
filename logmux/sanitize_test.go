package logmux

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	for _, tc := range []struct{ in, colors, plain string }{
		{"plain text", "plain text", "plain text"},
		{"tab\tstays", "tab\tstays", "tab\tstays"},
		{"\x1b[31mred\x1b[0m", "\x1b[31mred\x1b[0m", "red"},
		{"\x1b[38:2::255:0:0mtrue\x1b[m", "\x1b[38:2::255:0:0mtrue\x1b[m", "true"},
		{"\x1b]0;title\x07x", "^[]0;title^Gx", "^[]0;title^Gx"},
		{"\x1b[2Jclear", "^[[2Jclear", "^[[2Jclear"},
		{"\x1b]52;c;aGk=\x1b\\", "^[]52;c;aGk=^[\\", "^[]52;c;aGk=^[\\"},
		{"\x1bP+q\x1b\\", "^[P+q^[\\", "^[P+q^[\\"},
		{"\x1b[?1049h", "^[[?1049h", "^[[?1049h"},
		{"\x1b[>4;1m", "^[[>4;1m", "^[[>4;1m"},
		{"\x1b[31", "^[[31", "^[[31"},
		{"nul\x00 bs\x08 cr\r del\x7f", "nul^@ bs^H cr^M del^?", "nul^@ bs^H cr^M del^?"},
		{"c1 \u009b2J \u0085", `c1 \u009b2J \u0085`, `c1 \u009b2J \u0085`},
		{"latin1 \u00a0\u00e9 and bad \xff\x9b\xc2", "latin1 \u00a0\u00e9 and bad \xff\x9b\xc2", "latin1 \u00a0\u00e9 and bad \xff\x9b\xc2"},
		{"trailing \x1b", "trailing ^[", "trailing ^["},
	} {
		if got := string(sanitize(nil, []byte(tc.in), true)); got != tc.colors {
			t.Errorf("sanitize(%q, colors) = %q, want %q", tc.in, got, tc.colors)
		}
		if got := string(sanitize(nil, []byte(tc.in), false)); got != tc.plain {
			t.Errorf("sanitize(%q, no colors) = %q, want %q", tc.in, got, tc.plain)
		}
	}
}

// TestConsoleEscapes: a Console for a terminal shows a module's escapes
// visibly, keeps its colors (or strips them with colors off), leaves svman's
// own prefix colors alone, and writes an empty or all-color line without a
// trailing space; Raw writes the bytes as they are.
func TestConsoleEscapes(t *testing.T) {
	line := "\x1b[32mok\x1b[0m \x1b]52;c;aGk=\x07"
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Escape: true}, "web   | \x1b[32mok\x1b[0m ^[]52;c;aGk=^G\n"},
		{Options{Escape: true, StripANSI: true}, "web   | ok ^[]52;c;aGk=^G\n"},
		{Options{StripANSI: true}, "web   | ok \n"},
		{Options{Raw: true, Escape: true, StripANSI: true, System: &strings.Builder{}}, line + "\n"},
	} {
		for _, async := range []bool{false, true} {
			var out strings.Builder // read after Close, which waits for the writer
			o := tc.o
			if async {
				o.Buffer = 16
			}
			c := NewConsole(&out, o)
			c.Line("web", Stdout, []byte(line))
			c.Close()
			if got := out.String(); got != tc.want {
				t.Errorf("%+v, async %v: %q, want %q", tc.o, async, got, tc.want)
			}
		}
	}
	var out strings.Builder
	c := NewConsole(&out, Options{Escape: true, StripANSI: true})
	c.Line("web", Stdout, []byte("\x1b[1m"))
	c.Line("web", Stdout, nil)
	if want := "web   |\nweb   |\n"; out.String() != want {
		t.Errorf("empty lines: %q, want %q", out.String(), want)
	}
}

// FuzzSanitize checks sanitize's contract on any line: what it writes holds no
// ESC but at the start of an SGR sequence (none with colors off), no C0
// control but tab, no C1 control; writing it again changes nothing; and a line
// with nothing to escape is copied as is.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"plain", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\x1b]52;c;aGk=\x1b\\", "\x1b[2J",
		"\x1bP+q\x1b\\", "\x1b_apc\x1b\\", "\x1b^pm\x1b\\", "\x1bXsos\x1b\\", "\x1b[?1049h",
		"\u009b2J", "\u009d0;t\u009c", "\x00\x7f\r\b\t", "\xff\x9b\xc2", "\x1b[38:2::1:2:3m", "\x1b",
	} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, line []byte, keepSGR bool) {
		out := sanitize(nil, line, keepSGR)
		for i := 0; i < len(out); i++ {
			switch c := out[i]; {
			case c == 0x1b:
				n := sgrLen(out[i:])
				if n == 0 || !keepSGR {
					t.Fatalf("ESC at %d of %q (from %q)", i, out, line)
				}
				i += n - 1
			case c < 0x20 && c != '\t', c == 0x7f:
				t.Fatalf("control %#x at %d of %q (from %q)", c, i, out, line)
			}
		}
		for rest := out; len(rest) > 0; {
			r, n := utf8.DecodeRune(rest)
			if r >= 0x80 && r <= 0x9f {
				t.Fatalf("C1 control %U in %q (from %q)", r, out, line)
			}
			rest = rest[n:]
		}
		if again := sanitize(nil, out, keepSGR); !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %q -> %q -> %q", line, out, again)
		}
		if !bytes.ContainsFunc(line, func(r rune) bool { return r < 0x20 && r != '\t' || r >= 0x7f && r <= 0x9f }) && !bytes.Equal(out, line) {
			t.Fatalf("%q changed to %q", line, out)
		}
	})
}

// BenchmarkSanitize is the cost of showing a typical log line on a terminal.
func BenchmarkSanitize(b *testing.B) {
	line := []byte("127.0.0.1 - - [06/May/2024 15:04:05] \"GET /index.html HTTP/1.1\" 200 -")
	b.SetBytes(int64(len(line)))
	buf := make([]byte, 0, 256)
	for b.Loop() {
		buf = sanitize(buf[:0], line, true)
	}
}

// BenchmarkConsoleTerminal is BenchmarkConsole for a terminal: every line goes
// through sanitize.
func BenchmarkConsoleTerminal(b *testing.B) {
	c := NewConsole(io.Discard, Options{Color: true, Timestamps: true, Escape: true})
	c.Add("web")
	line := []byte("127.0.0.1 - - [06/May/2024 15:04:05] \"GET /index.html HTTP/1.1\" 200 -")
	b.ReportAllocs()
	for b.Loop() {
		c.Line("web", Stdout, line)
	}
}
