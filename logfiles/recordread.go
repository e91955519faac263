package logfiles

import (
	"bytes"
	"encoding/json"
	"time"
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
}

// ParseRecord reads a line of a log file (without its newline) that is a JSON
// record: its time, the pid that wrote it (0: not said), its text (the line as
// the child wrote it, decoded from "line" or "line_b64", or the object of
// "json": then parsed is true). ok is false when the line is no record (a line
// of a Text file): it must be a JSON object with "ts", "module", a "stream" of
// "stdout" or "stderr", and exactly one of "line", "line_b64" and "json". A file
// whose format changed on a reload holds lines of both kinds; tailers read each
// line as what it is.
func ParseRecord(b []byte) (t time.Time, pid int, text []byte, parsed, ok bool) {
	if !bytes.HasPrefix(b, []byte(`{"`)) || b[len(b)-1] != '}' {
		return time.Time{}, 0, nil, false, false
	}
	if t, pid, text, parsed, ok = parseOwnRecord(b); ok {
		return t, pid, text, parsed, true
	}
	return parseAnyRecord(b)
}

// parseAnyRecord is ParseRecord for any JSON object, with encoding/json.
func parseAnyRecord(b []byte) (t time.Time, pid int, text []byte, parsed, ok bool) {
	var r record
	if json.Unmarshal(b, &r) != nil || r.TS == nil || r.Module == nil || (r.Stream != "stdout" && r.Stream != "stderr") {
		return time.Time{}, 0, nil, false, false
	}
	switch {
	case r.Line != nil && r.LineB64 == nil && r.JSON == nil:
		return *r.TS, r.PID, []byte(*r.Line), false, true
	case r.Line == nil && r.LineB64 != nil && r.JSON == nil:
		return *r.TS, r.PID, r.LineB64, false, true
	case r.Line == nil && r.LineB64 == nil && r.JSON != nil:
		return *r.TS, r.PID, r.JSON, true, true
	}
	return time.Time{}, 0, nil, false, false
}
