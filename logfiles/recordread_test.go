package logfiles

import (
	"bytes"
	"testing"
	"time"

	"svman/logmux"
)

// TestParseRecord reads records as svman writes them, through its own parser,
// and checks that encoding/json reads each the same; records written otherwise
// (keys reordered, spaces) are read by encoding/json; lines that are no record
// are text.
func TestParseRecord(t *testing.T) {
	at := time.Date(2026, 11, 24, 14, 4, 5, 123456789, time.UTC)
	lines := [][]byte{
		[]byte("plain"), []byte(""), []byte("tab\t\"q\" \\ \x1b[0m \u2028 é"), []byte("\xff\xfe\x00"),
		[]byte(`{"level":"info","n":[1,2,{"x":"}"}]}`), []byte(`{"broken":`), []byte("crlf\r"),
	}
	for _, pid := range []int{0, 1, 4242} {
		for _, line := range lines {
			for _, parse := range []bool{false, true} {
				rec := logmux.AppendRecord(nil, at, "web.1", logmux.Stderr, pid, line, parse)
				rec = rec[:len(rec)-1]
				r1, m1, s1, ok1 := parseOwnRecord(rec)
				r2, m2, s2, ok2 := parseAnyRecord(rec)
				if !ok1 || !ok2 || !r1.Time.Equal(at) || !r2.Time.Equal(at) || r1.PID != pid || r2.PID != pid ||
					!bytes.Equal(r1.Text, line) || !bytes.Equal(r2.Text, line) || r1.Parsed != r2.Parsed ||
					string(m1) != "web.1" || string(m2) != "web.1" || s1 != logmux.Stderr || s2 != logmux.Stderr {
					t.Errorf("%s:\nown: %+v %s %v %v\nany: %+v %s %v %v", rec, r1, m1, s1, ok1, r2, m2, s2, ok2)
				}
				if wantParsed := parse && logmux.IsJSONObject(line); r1.Parsed != wantParsed {
					t.Errorf("%s: parsed %v, want %v", rec, r1.Parsed, wantParsed)
				}
			}
		}
	}
	for _, tt := range []struct {
		line string
		ok   bool
		text string
	}{
		{`{"module":"w","ts":"2026-11-24T14:04:05.123456789Z","stream":"stdout","line":"reordered"}`, true, "reordered"},
		{`{"ts": "2026-11-24T15:04:05+01:00", "module": "w", "stream": "stdout", "pid": 3, "line": "spaced"}`, true, "spaced"},
		{`{"ts":"2026-11-24T14:04:05.123456789Z","module":"w","stream":"stdout","pid":3,"line":"a","line_b64":"YQ=="}`, false, ""},
		{`{"ts":"2026-11-24T14:04:05.123456789Z","module":"w","stream":"system","pid":3,"line":"a"}`, false, ""},
		{`{"ts":"2026-11-24T14:04:05.123456789Z","stream":"stdout","pid":3,"line":"a"}`, false, ""},
		{`{"level":"info","msg":"a child's own JSON in a text file"}`, false, ""},
		{`2026-11-24T15:04:05.123+01:00 {"ts":"x"}`, false, ""},
	} {
		r, ok := ParseRecord([]byte(tt.line), "w", logmux.Stdout)
		if ok != tt.ok || string(r.Text) != tt.text {
			t.Errorf("%s: %v %q, want %v %q", tt.line, ok, r.Text, tt.ok, tt.text)
		}
	}
	// A text line shaped like a record of another module or stream (a child
	// that relays svman's records) is text in this module's file.
	rec := logmux.AppendRecord(nil, at, "other", logmux.Stdout, 1, []byte("spoof"), false)
	if _, ok := ParseRecord(rec[:len(rec)-1], "w", logmux.Stdout); ok {
		t.Errorf("%s read as a record of w's stdout", rec)
	}
	rec = logmux.AppendRecord(nil, at, "w", logmux.Stderr, 1, []byte("spoof"), false)
	if _, ok := ParseRecord(rec[:len(rec)-1], "w", logmux.Stdout); ok {
		t.Errorf("%s read as a record of w's stdout", rec)
	}
	// A cut piece says so, and keeps its bytes exactly.
	piece := []byte("a\xc3") // a character split by the cut
	rec = append(logmux.AppendRecordPiece(logmux.AppendRecordHead(nil, at, "w", logmux.Stdout, 7), piece), '\n')
	if r, ok := ParseRecord(rec[:len(rec)-1], "w", logmux.Stdout); !ok || !r.Cut || !bytes.Equal(r.Text, piece) {
		t.Errorf("%s: %+v %v, want a cut piece %q", rec, r, ok, piece)
	}
}

func BenchmarkParseRecord(b *testing.B) {
	rec := logmux.AppendRecord(nil, time.Now(), "web", logmux.Stdout, 4242, []byte("L m=0000001 seq=0000001 abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01234567"), false)
	rec = rec[:len(rec)-1]
	for b.Loop() {
		if _, ok := ParseRecord(rec, "web", logmux.Stdout); !ok {
			b.Fatal("not a record")
		}
	}
}
