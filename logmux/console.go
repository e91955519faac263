package logmux

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// keepBuf bounds the line buffer a Console keeps between lines: a MaxLine piece plus its
// prefix fits, so the largest lines Lines produces reuse it, but a huge Systemf does not pin memory.
const keepBuf = MaxLine + 1024

// Options configures a Console.
type Options struct {
	Color      bool             // ANSI colors (the CLI decides: terminal, NO_COLOR, --color)
	Timestamps bool             // the leading "15:04:05 "
	Now        func() time.Time // nil means time.Now; tests pass a fixed clock

	// Buffer > 0 makes the Console asynchronous: a writer goroutine writes the lines,
	// and each module may have at most Buffer lines waiting for it. A module with
	// more waits for room while the console takes lines, and loses the excess on the
	// console (never in its log files) while the console is stalled, after which one
	// notice says how many (see the package doc). Close stops the writer after what
	// is queued.
	Buffer int
	// Show, if set, says which modules' lines are shown; svman's own always are.
	Show func(name string) bool
	// StripANSI removes the escape sequences of a child's colors from its lines:
	// for a console that is not a terminal, or a terminal with colors off.
	StripANSI bool
	// Escape shows every escape sequence and control character (but tab) of a
	// line as visible text, such as "^[" for ESC, except a child's colors (SGR
	// sequences, which StripANSI removes): for a terminal, which a module must not
	// be able to retitle, clear or make write the clipboard (see sanitize).
	Escape bool
	// Raw writes the modules' lines without any prefix and exactly as written
	// (StripANSI and Escape do not apply); svman's own lines then go, prefixed,
	// to System.
	Raw    bool
	System io.Writer
	// JSON writes NDJSON: a record for each line, an object for each event of
	// svman (console_json.go).
	JSON bool
}

// Console writes whole prefixed lines to one io.Writer:
//
//	15:04:05 web    | text        (stdout)
//	15:04:05 worker ! text        (stderr)
//	15:04:05 svman  | text        (svman's own events)
//
// The module name is padded to the longest name registered so far (at least "svman"),
// and only the prefix (time, name, separator) is colored; the text is written as is.
//
// A Console is safe for concurrent use: every line is written with exactly one Write call
// while holding a mutex, so lines never interleave. Write errors are ignored: there is
// nowhere better to report that the console itself is broken.
type Console struct {
	mu    sync.Mutex
	w     io.Writer
	color bool
	stamp bool
	now   func() time.Time
	show  func(string) bool
	text  display // how a line's text is shown
	raw   bool
	json  bool
	sys   *Console // Raw: where svman's own lines go

	async *writer // nil: lines are written by the caller

	width int                // runes of the longest name, the padding target
	mods  map[string]*module // by name; includes SystemName
	n     int                // modules registered, i.e. the next palette index
	buf   []byte             // the line being built, reused between lines

	// The formatted "15:04:05" of second tsSec: formatting once per second, not per line.
	tsSec int64
	ts    []byte
}

// module is a registered name with its pre-rendered color.
type module struct {
	name  string
	runes int
	style style

	queued  int32        // Buffer: lines waiting for the writer; guarded by the writer's mu
	dropped atomic.Int64 // Buffer: lines not shown since the last notice
}

// NewConsole returns a Console writing to w. The name "svman" is registered from the start.
func NewConsole(w io.Writer, o Options) *Console {
	c := &Console{
		w:     w,
		color: o.Color,
		stamp: o.Timestamps,
		now:   o.Now,
		mods:  make(map[string]*module),
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.show, c.text, c.raw, c.json = o.Show, displayFor(o), o.Raw && !o.JSON, o.JSON
	if c.raw && o.System != nil {
		c.sys = NewConsole(o.System, Options{Color: o.Color, Timestamps: o.Timestamps, Now: o.Now, StripANSI: o.StripANSI, Escape: o.Escape})
	}
	c.register(SystemName, systemStyle(c.color))
	if o.Buffer > 0 {
		c.async = newWriter(c, o.Buffer)
	}
	return c
}

// Close writes what is queued and stops the writer goroutine of an asynchronous
// Console; lines that come later are dropped. It is a no-op for a synchronous one.
func (c *Console) Close() {
	if c.async != nil {
		c.async.close()
	}
}

// Add registers a module name. The padding widens to the longest name seen; each new name
// gets the next palette color (wrapping around after ten); re-adding a name keeps its color.
// Adding SystemName is a no-op: it is always registered, bold with no hue.
// Lines for names that were never added are accepted too: Line registers them on first use.
func (c *Console) Add(name string) {
	c.mu.Lock()
	c.lookup(name)
	c.mu.Unlock()
}

// Line writes one line from module name. line is the text without its newline; a trailing
// "\r" is dropped (CRLF output). The slice is not retained.
func (c *Console) Line(name string, s Stream, line []byte) {
	c.LineCont(name, s, line, false)
}

// LineCont is Line for a piece of a longer line: with cont=true the piece is marked with a
// trailing " …" to show the line continues on the next one (a Cut piece of Lines).
func (c *Console) LineCont(name string, s Stream, line []byte, cont bool) {
	// A trailing "\r" is a Windows-style line end, or on a cut piece a carriage return that
	// would send the cursor back over the prefix before the marker; drop it in both cases.
	if !c.json {
		line = bytes.TrimSuffix(line, []byte{'\r'})
	}
	if c.show != nil && !c.show(name) {
		return
	}

	c.mu.Lock()
	m := c.lookup(name)
	if c.async != nil {
		c.mu.Unlock()
		var one Batch
		one.add(line, cont)
		c.enqueue(m, s, c.now(), &one)
		one.Reset()
		return
	}
	defer c.mu.Unlock()
	c.flush(c.appendEntry(c.buf[:0], m, s, line, cont, c.now()))
}

// WriteLines writes the lines of one read of module name's stream s, which
// arrived at t. The batch is not retained. An asynchronous Console queues them
// and never waits (the producer paces itself with Pace).
func (c *Console) WriteLines(name string, s Stream, t time.Time, lines *Batch) {
	if lines.Len() == 0 || (c.show != nil && !c.show(name)) {
		return
	}
	c.mu.Lock()
	m := c.lookup(name)
	if c.async != nil {
		c.mu.Unlock()
		c.enqueue(m, s, t, lines)
		return
	}
	defer c.mu.Unlock()
	c.flush(c.appendLines(c.buf[:0], c.appendHead(nil, m, s, t, lines.PID), c.raw && s != System, lines))
}

// enqueue formats a batch for the asynchronous writer and queues it. Only the
// prefix, the same for every line of the batch, is made under c.mu: the lines
// are formatted in the caller's goroutine, so modules writing at once format in
// parallel and the writer only copies and writes.
func (c *Console) enqueue(m *module, s Stream, t time.Time, lines *Batch) {
	c.mu.Lock()
	prefix := c.appendHead(c.async.prefix(), m, s, t, lines.PID)
	c.mu.Unlock()
	// Room for the whole batch at once: grown by appends from an empty buffer, a
	// batch of one read cost a dozen allocations and copies, and most of svman's
	// garbage when modules write as fast as they can.
	data := c.async.takeBuf(lines.Bytes() + lines.Len()*(len(prefix)+len(CutMarker)+2))
	data = c.appendLines(data, prefix, c.raw && s != System, lines)
	c.async.enqueue(m, data, int32(lines.Len()), prefix)
}

// appendLines appends every line of a batch after the same prefix (none when
// raw), its text shown as c.text says.
func (c *Console) appendLines(b, prefix []byte, raw bool, lines *Batch) []byte {
	if c.json {
		return appendJSONLines(b, prefix, lines)
	}
	lines.Each(func(line []byte, cont bool) {
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if !raw {
			b = append(b, prefix...)
		}
		b = c.appendShown(b, line, raw)
		if cont {
			b = append(b[:len(b)-1], CutMarker+"\n"...)
		}
	})
	return b
}

// appendEntry appends a module's line and the continuation marker for a cut
// piece. The caller holds c.mu.
func (c *Console) appendEntry(b []byte, m *module, s Stream, line []byte, cont bool, t time.Time) []byte {
	if c.json {
		return appendJSONLine(b, c.appendHead(nil, m, s, t, 0), line, cont, false)
	}
	b = c.appendLine(b, m, s, line, t)
	if cont {
		b = append(b[:len(b)-1], CutMarker+"\n"...)
	}
	return b
}

// LineAt is Line for a line written at t rather than now: `svman logs` prints the
// lines of the log files, with their own times, exactly as `svman up` showed them.
func (c *Console) LineAt(t time.Time, name string, s Stream, line []byte) {
	if !c.json {
		line = bytes.TrimSuffix(line, []byte{'\r'})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flush(c.appendEntry(c.buf[:0], c.lookup(name), s, line, false, t))
}

// Systemf writes a line from svman itself under SystemName. A message containing newlines
// becomes several lines, written with one Write call so nothing interleaves with them.
func (c *Console) Systemf(format string, args ...any) {
	msg := strings.TrimSuffix(fmt.Sprintf(format, args...), "\n")
	if c.sys != nil {
		c.sys.Systemf("%s", msg)
		return
	}
	if c.json {
		c.systemJSON("%s", msg)
		return
	}
	if c.async != nil {
		c.mu.Lock()
		m := c.mods[SystemName]
		c.mu.Unlock()
		var lines Batch
		for _, line := range strings.Split(msg, "\n") {
			lines.add([]byte(line), false)
		}
		c.enqueue(m, System, c.now(), &lines)
		lines.Reset()
		return
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.mods[SystemName]
	b := c.buf[:0]
	for {
		line, rest, more := strings.Cut(msg, "\n")
		b = c.appendLine(b, m, System, []byte(line), c.now())
		if !more {
			break
		}
		msg = rest
	}
	c.flush(b)
}

// flush writes b, the finished line(s), and keeps the buffer for the next line unless it
// grew beyond keepBuf. The caller holds c.mu.
func (c *Console) flush(b []byte) {
	_, _ = c.w.Write(b)
	if cap(b) > keepBuf {
		b = nil
	}
	c.buf = b
}

// lookup returns the module for name, registering it first if it is new. The caller holds c.mu.
func (c *Console) lookup(name string) *module {
	if m, ok := c.mods[name]; ok {
		return m
	}
	m := c.register(name, moduleStyle(c.n, c.color))
	c.n++
	return m
}

// register adds name with style st and widens the padding. The caller holds c.mu (or owns c).
func (c *Console) register(name string, st style) *module {
	m := &module{name: name, runes: utf8.RuneCountInString(name), style: st}
	c.mods[name] = m
	c.width = max(c.width, m.runes)
	return m
}

// spaces is a run of padding appended in chunks, so padding costs no allocation.
const spaces = "                                "

// appendLine appends one complete line for m, newline included, to b. The caller holds c.mu.
func (c *Console) appendLine(b []byte, m *module, s Stream, line []byte, t time.Time) []byte {
	raw := c.raw && s != System
	if !raw {
		b = c.appendPrefix(b, m, s, t)
	}
	return c.appendShown(b, line, raw)
}

// appendPrefix appends the colored "15:04:05 name   |" of m's lines from stream s
// at t. The caller holds c.mu.
func (c *Console) appendPrefix(b []byte, m *module, s Stream, t time.Time) []byte {
	b = append(b, m.style.on...)
	if c.stamp {
		b = append(b, c.timestamp(t)...)
		b = append(b, ' ')
	}
	b = append(b, m.name...)
	for pad := c.width - m.runes; pad > 0; {
		k := min(pad, len(spaces))
		b = append(b, spaces[:k]...)
		pad -= k
	}
	sep := byte('|')
	if s == Stderr {
		sep = '!'
	}
	b = append(b, ' ', sep)
	return append(b, m.style.off...)
}

// appendText appends a line's text and newline after its prefix (or as is, raw).
func appendText(b, line []byte, raw bool) []byte {
	// No space after the separator on an empty line: no trailing whitespace in the log.
	if len(line) > 0 && !raw {
		b = append(b, ' ')
	}
	b = append(b, line...)
	return append(b, '\n')
}

// appendShown is appendText for a line from a module or svman: its text is shown
// as c.text says, unless raw. Every such line reaches the console through here.
func (c *Console) appendShown(b, line []byte, raw bool) []byte {
	if raw || c.text == displayAsIs {
		return appendText(b, line, raw)
	}
	n := len(b)
	b = c.text.append(append(b, ' '), line)
	if len(b) == n+1 { // no space after the separator on an empty line
		b = b[:n]
	}
	return append(b, '\n')
}

// timestamp returns "15:04:05" for t. The caller holds c.mu, which also makes the
// timestamps of consecutive live lines non-decreasing in output order.
func (c *Console) timestamp(t time.Time) []byte {
	if sec := t.Unix(); sec != c.tsSec || c.ts == nil {
		c.tsSec = sec
		c.ts = t.AppendFormat(c.ts[:0], "15:04:05")
	}
	return c.ts
}
