package logmux

import (
	"fmt"
	"strings"
	"time"
)

// A JSON Console (Options.JSON) writes NDJSON instead of prefixed lines: each
// line of a module is one record, as logmux.AppendRecord writes it, with the
// pid of the child that wrote it when known (Batch.PID) and every byte of the
// line kept (no escape sequence is stripped or shown, a trailing "\r" stays, a
// line that is not UTF-8 is in line_b64, a JSON object stays one when the
// batch says Parse); a cut piece says "cut":true. Each
// of svman's own lines is one event (AppendEvent): Event gives its name and
// fields, Systemf a "message". Colors, Timestamps, StripANSI, Escape and Raw do
// not apply; Show does.

// eventMessage is the event of a line of Systemf, and of a message Event
// gives no better name.
const eventMessage = "message"

// eventDropped is the event that says how many lines of a module a stalled
// console did not show.
const eventDropped = "dropped"

// appendJSONLines appends the records of a batch's lines after head, the
// record's start they share.
func appendJSONLines(b, head []byte, lines *Batch) []byte {
	lines.Each(func(line []byte, cont bool) {
		b = appendJSONLine(b, head, line, cont, lines.Parse)
	})
	return b
}

// appendJSONLine appends one record: head, the line (a piece of it, marked
// cut, if cont; with parse, a JSON object as one), and the newline.
func appendJSONLine(b, head, line []byte, cont, parse bool) []byte {
	b = append(b, head...)
	if cont {
		return append(AppendRecordPiece(b, line), '\n')
	}
	return append(AppendRecordLine(b, line, parse), '\n')
}

// appendHead appends what the lines of a batch of m's stream s, written at t
// by pid, share: their prefix, or on a JSON Console the start of their record.
// The caller holds c.mu.
func (c *Console) appendHead(b []byte, m *module, s Stream, t time.Time, pid int) []byte {
	if c.json {
		return AppendRecordHead(b, t, m.name, s, pid)
	}
	return c.appendPrefix(b, m, s, t)
}

// Event writes an event of svman about module (SystemName: svman itself): on a
// JSON Console one event object, named event, with msg and fields; otherwise
// msg, as Systemf writes it.
func (c *Console) Event(module, event, msg string, fields ...Field) {
	if !c.json {
		c.Systemf("%s", msg)
		return
	}
	if c.sys != nil {
		c.sys.Event(module, event, msg, fields...)
		return
	}
	c.writeEvent(AppendEvent(nil, c.now(), module, event, msg, fields))
}

// systemJSON is Systemf on a JSON Console: one message event, whatever
// newlines the message holds.
func (c *Console) systemJSON(format string, args ...any) {
	msg := strings.TrimSuffix(fmt.Sprintf(format, args...), "\n")
	c.writeEvent(AppendEvent(nil, c.now(), SystemName, eventMessage, msg, nil))
}

// writeEvent writes one event object, in order with the lines queued before it.
func (c *Console) writeEvent(ev []byte) {
	c.mu.Lock()
	m := c.mods[SystemName]
	if c.async == nil {
		defer c.mu.Unlock()
		_, _ = c.w.Write(ev)
		return
	}
	c.mu.Unlock()
	data := append(c.async.takeBuf(len(ev)), ev...)
	c.async.enqueue(m, data, 1, c.async.prefix())
}

// dropNoticeJSON is the event saying that n lines of module name were not shown.
func dropNoticeJSON(b []byte, name string, n int64) []byte {
	return AppendEvent(b, time.Now(), name, eventDropped, string(dropNotice(name, n)), []Field{{"lines", n}})
}
