package logfiles

import (
	"bytes"
	"encoding/json"
	"time"

	"svman/logmux"
)

// record is a line of a JSON log file, as logmux.AppendRecord writes it.
type record struct {
	TS      *time.Time      `json:"ts"`
	Module  *string         `json:"module"`
	Stream  string          `json:"stream"`
	PID     int             `json:"pid"`
	Line    *string         `json:"line"`
	LineB64 []byte          `json:"line_b64"` // encoding/json reads standard base64
	JSON    json.RawMessage `json:"json"`
	Cut     bool            `json:"cut"`
}

// Record is a line of a JSON log file, read back.
type Record struct {
	Time time.Time
	PID  int // the pid that wrote it; 0: not said
	// Text is the line as the child wrote it, decoded from "line" or
	// "line_b64", or the object of "json" (then Parsed is true).
	Text   []byte
	Parsed bool
	// Cut: a piece of a line longer than a record holds; the next record of
	// the stream goes on with the line.
	Cut bool
}

// ParseRecord reads a line of the log file of module's stream (without its
// newline) that is a JSON record of that module and stream. ok is false when
// the line is no such record (a line of a Text file, even one shaped like a
// record of another module or stream, which a child may well print): it must
// be a JSON object with "ts", that "module", that "stream", and exactly one
// of "line", "line_b64" and "json". A file whose format changed on a reload
// holds lines of both kinds; tailers read each line as what it is.
func ParseRecord(b []byte, module string, stream logmux.Stream) (Record, bool) {
	if len(b) < 2 || !bytes.HasPrefix(b, []byte(`{"`)) || b[len(b)-1] != '}' {
		return Record{}, false
	}
	r, m, s, ok := parseOwnRecord(b)
	if !ok {
		r, m, s, ok = parseAnyRecord(b)
	}
	if !ok || string(m) != module || s != stream {
		return Record{}, false
	}
	return r, true
}

// parseAnyRecord is ParseRecord for any JSON object, with encoding/json: the
// record, and the module and stream it names.
func parseAnyRecord(b []byte) (Record, []byte, logmux.Stream, bool) {
	var r record
	if json.Unmarshal(b, &r) != nil || r.TS == nil || r.Module == nil {
		return Record{}, nil, 0, false
	}
	stream := logmux.Stdout
	switch r.Stream {
	case "stdout":
	case "stderr":
		stream = logmux.Stderr
	default:
		return Record{}, nil, 0, false
	}
	out := Record{Time: *r.TS, PID: r.PID, Cut: r.Cut}
	switch {
	case r.Line != nil && r.LineB64 == nil && r.JSON == nil:
		out.Text = []byte(*r.Line)
	case r.Line == nil && r.LineB64 != nil && r.JSON == nil:
		out.Text = r.LineB64
	case r.Line == nil && r.LineB64 == nil && r.JSON != nil:
		out.Text, out.Parsed = r.JSON, true
	default:
		return Record{}, nil, 0, false
	}
	return out, []byte(*r.Module), stream, true
}

// ParseAnyRecord reads one record of any module and stream, as `svman logs
// --json` prints them and the control API serves them; ok is false for a
// line that is no record. The Line's Text may share b's memory.
func ParseAnyRecord(b []byte) (l Line, ok bool) {
	r, module, stream, ok := parseOwnRecord(b)
	if !ok {
		r, module, stream, ok = parseAnyRecord(b)
	}
	if !ok {
		return Line{}, false
	}
	return Line{Time: r.Time, Module: string(module), Stream: stream, Text: r.Text, PID: r.PID, Parsed: r.Parsed, Cut: r.Cut}, true
}
