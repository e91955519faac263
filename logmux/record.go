package logmux

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// RecordTime is the layout of a record's "ts": RFC 3339 with nanoseconds, in UTC,
// always 30 bytes, so that records sort by their text as by their time.
const RecordTime = "2006-01-02T15:04:05.000000000Z07:00"

// A record is one line of a module as one JSON object, as the JSON log files
// (package logfiles), `svman logs --json` and `svman up --json` write it:
//
//	{"ts":"2026-11-24T14:04:05.123456789Z","module":"web","stream":"stdout","pid":4242,"line":"text"}
//
// ts is RecordTime in UTC; stream is "stdout" or "stderr"; pid is the child that
// wrote the line, null when not known (a line read from a text log file). Then
// exactly one of:
//   - "line": the line as a string, when it is valid UTF-8;
//   - "line_b64": the line's bytes in standard base64, when it is not, so that
//     no byte is lost;
//   - "json": the line itself, when it is a JSON object (from "{" to "}", valid
//     UTF-8) and the module's log block says parse = "json". The object is
//     nested rather than merged into the record, so that none of its keys ever
//     clashes with the record's own, the record keeps the same five keys
//     whatever a module writes, and the line is kept byte for byte.
//
// Every record is one line: a newline or any other control character in a
// string is escaped.

// AppendRecordHead appends the record's first keys, from "{" to the comma after
// "pid", for a line of module's stream s written at t by pid (0: not known).
func AppendRecordHead(b []byte, t time.Time, module string, s Stream, pid int) []byte {
	b = append(b, `{"ts":"`...)
	b = t.UTC().AppendFormat(b, RecordTime)
	b = append(b, `","module":`...)
	b = AppendJSONString(b, []byte(module))
	b = append(b, `,"stream":"`...)
	b = append(b, s.String()...)
	b = append(b, `","pid":`...)
	if pid > 0 {
		b = strconv.AppendInt(b, int64(pid), 10)
	} else {
		b = append(b, "null"...)
	}
	return append(b, ',')
}

// AppendRecordLine appends the line's key and value and the closing "}" (no
// newline): "line", or "line_b64" for a line that is not valid UTF-8, or, with
// parse, "json" for a line that is a JSON object.
func AppendRecordLine(b, line []byte, parse bool) []byte {
	if !utf8.Valid(line) {
		b = append(b, `"line_b64":"`...)
		b = base64.StdEncoding.AppendEncode(b, line)
		return append(b, `"}`...)
	}
	if parse && IsJSONObject(line) {
		b = append(b, `"json":`...)
		b = append(b, line...)
		return append(b, '}')
	}
	b = append(b, `"line":`...)
	b = AppendJSONString(b, line)
	return append(b, '}')
}

// AppendRecordPiece is AppendRecordLine for a piece of a line longer than a
// record holds: the record says "cut":true, and the next one of the stream
// goes on with the line. No byte is added to the line's: joined, the pieces
// are the line. A piece is never parsed as JSON.
func AppendRecordPiece(b, piece []byte) []byte {
	b = AppendRecordLine(b, piece, false)
	return append(b[:len(b)-1], `,"cut":true}`...)
}

// AppendRecord appends a whole record and its newline.
func AppendRecord(b []byte, t time.Time, module string, s Stream, pid int, line []byte, parse bool) []byte {
	b = AppendRecordHead(b, t, module, s, pid)
	return append(AppendRecordLine(b, line, parse), '\n')
}

// IsJSONObject reports whether line is exactly one JSON object: "{" first, "}"
// last, valid JSON.
func IsJSONObject(line []byte) bool {
	return len(line) >= 2 && line[0] == '{' && line[len(line)-1] == '}' && json.Valid(line)
}

// jsonSafe[c] is true for the bytes a JSON string holds as they are.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s, which must be valid UTF-8, as a JSON string:
// quotes, backslashes and control characters escaped, everything else as is.
func AppendJSONString(b, s []byte) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if jsonSafe[c] {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Field is one key of an event record and its value, encoded with encoding/json.
type Field struct {
	Key   string
	Value any
}

// AppendEvent appends an event of svman as one JSON object and its newline:
//
//	{"ts":"...","module":"web","event":"exited","msg":"web (pid 42) exited with code 1 after 2s","pid":42,"code":1}
//
// module is the module it is about, or SystemName for svman's own; event names
// what happened; msg is the line the text console shows; the fields follow, in
// their order (one whose key is already there is left out).
func AppendEvent(b []byte, t time.Time, module, event, msg string, fields []Field) []byte {
	b = append(b, `{"ts":"`...)
	b = t.UTC().AppendFormat(b, RecordTime)
	b = append(b, `","module":`...)
	b = appendString(b, module)
	b = append(b, `,"event":`...)
	b = appendString(b, event)
	b = append(b, `,"msg":`...)
	b = appendString(b, msg)
	seen := map[string]bool{"ts": true, "module": true, "event": true, "msg": true}
	for _, f := range fields {
		if seen[f.Key] {
			continue
		}
		seen[f.Key] = true
		v, err := json.Marshal(f.Value)
		if err != nil {
			v = appendString(nil, err.Error())
		}
		b = append(b, ',')
		b = appendString(b, f.Key)
		b = append(b, ':')
		b = append(b, v...)
	}
	return append(b, "}\n"...)
}

// appendString is AppendJSONString for a Go string, whose invalid UTF-8 (never
// in svman's own messages, but a module name or an error may carry a child's
// bytes) becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = string(bytes.ToValidUTF8([]byte(s), []byte("\uFFFD")))
	}
	return AppendJSONString(b, []byte(s))
}
