package logfiles

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"time"

	"svman/logmux"
)

// parseOwnRecord is parseAnyRecord for a record exactly as logmux.AppendRecord
// writes it (its keys in their order, no space, ts in logmux.RecordTime), which
// is every whole line svman writes: without encoding/json, and without copying
// a line that has no escape. It answers false for anything else (a cut piece
// too), which encoding/json then reads (parseAnyRecord): the same record read
// either way gives the same.
func parseOwnRecord(b []byte) (r Record, module []byte, stream logmux.Stream, ok bool) {
	r, module, stream, ok = parseOwnFields(b)
	if !ok {
		return Record{}, nil, 0, false
	}
	return r, module, stream, true
}

// parseOwnFields is parseOwnRecord, which clears what it returns when not ok.
func parseOwnFields(b []byte) (r Record, module []byte, stream logmux.Stream, ok bool) {
	const tsLen = len(logmux.RecordTime) - len("Z07:00") + len("Z")
	rest, ok := cut(b, `{"ts":"`)
	if !ok || len(rest) < tsLen+1 || rest[tsLen] != '"' {
		return
	}
	if r.Time, ok = parseRecordTime(rest[:tsLen]); !ok {
		return
	}
	if rest, ok = cut(rest[tsLen+1:], `,"module":`); !ok {
		return
	}
	if module, rest, ok = jsonString(rest); !ok {
		return
	}
	if after, ok1 := cut(rest, `,"stream":"stdout","pid":`); ok1 {
		rest, stream = after, logmux.Stdout
	} else if rest, ok = cut(rest, `,"stream":"stderr","pid":`); ok {
		stream = logmux.Stderr
	} else {
		return
	}
	if after, ok1 := cut(rest, "null,"); ok1 {
		rest = after
	} else {
		n, i := 0, 0
		for ; i < len(rest) && i < 10 && rest[i] >= '0' && rest[i] <= '9'; i++ {
			n = n*10 + int(rest[i]-'0')
		}
		if i == 0 || i == len(rest) || rest[i] != ',' || rest[0] == '0' {
			return r, module, stream, false
		}
		r.PID, rest = n, rest[i+1:]
	}
	end := len(rest) - 1 // the record's "}"
	switch {
	case bytes.HasPrefix(rest, []byte(`"line":`)):
		var after []byte
		if r.Text, after, ok = jsonString(rest[len(`"line":`):]); !ok || len(after) != 1 {
			return r, module, stream, false
		}
		return r, module, stream, true
	case bytes.HasPrefix(rest, []byte(`"line_b64":"`)) && end >= 1 && rest[end-1] == '"':
		enc := rest[len(`"line_b64":"`) : end-1]
		text, err := base64.StdEncoding.AppendDecode(nil, enc)
		if err != nil {
			return r, module, stream, false
		}
		r.Text = text
		return r, module, stream, true
	case bytes.HasPrefix(rest, []byte(`"json":{`)):
		obj := rest[len(`"json":`):end]
		if !json.Valid(obj) {
			return r, module, stream, false
		}
		r.Text, r.Parsed = obj, true
		return r, module, stream, true
	}
	return r, module, stream, false
}

// cut is b after prefix, if b starts with it.
func cut(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return nil, false
	}
	return b[len(prefix):], true
}

// jsonString reads the JSON string at the start of b: its value and what
// follows it. A string without escapes is b's own bytes; one with escapes is
// decoded by encoding/json.
func jsonString(b []byte) (s, rest []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return nil, nil, false
	}
	escaped := false
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\\':
			escaped = true
			i++ // what it escapes is never the end
		case c < 0x20:
			return nil, nil, false
		case c == '"':
			if !escaped {
				return b[1:i], b[i+1:], true
			}
			var v string
			if json.Unmarshal(b[:i+1], &v) != nil {
				return nil, nil, false
			}
			return []byte(v), b[i+1:], true
		}
	}
	return nil, nil, false
}

// parseRecordTime reads logmux.RecordTime in UTC ("2006-01-02T15:04:05.000000000Z").
func parseRecordTime(b []byte) (time.Time, bool) {
	if b[29] != 'Z' {
		return time.Time{}, false
	}
	return dateTime(b, 9, time.UTC)
}
