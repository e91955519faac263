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
				t1, pid1, text1, parsed1, ok1 := parseOwnRecord(rec)
				t2, pid2, text2, parsed2, ok2 := parseAnyRecord(rec)
				if !ok1 || !ok2 || !t1.Equal(at) || !t2.Equal(at) || pid1 != pid || pid2 != pid ||
					!bytes.Equal(text1, line) || !bytes.Equal(text2, line) || parsed1 != parsed2 {
					t.Errorf("%s:\nown: %v %d %q %v %v\nany: %v %d %q %v %v", rec, t1, pid1, text1, parsed1, ok1, t2, pid2, text2, parsed2, ok2)
				}
				if wantParsed := parse && logmux.IsJSONObject(line); parsed1 != wantParsed {
					t.Errorf("%s: parsed %v, want %v", rec, parsed1, wantParsed)
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
		_, _, text, _, ok := ParseRecord([]byte(tt.line))
		if ok != tt.ok || string(text) != tt.text {
			t.Errorf("%s: %v %q, want %v %q", tt.line, ok, text, tt.ok, tt.text)
		}
	}
}

func BenchmarkParseRecord(b *testing.B) {
	rec := logmux.AppendRecord(nil, time.Now(), "web", logmux.Stdout, 4242, []byte("L m=0000001 seq=0000001 abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01234567"), false)
	rec = rec[:len(rec)-1]
	for b.Loop() {
		if _, _, _, _, ok := ParseRecord(rec); !ok {
			b.Fatal("not a record")
		}
	}
}
