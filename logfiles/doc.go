// Package logfiles owns the log files svman keeps for each module: it writes them
// (File: one per stream, appended to, rotated by size), names and lists their
// rotations, and reads them the way `svman logs` shows them: merged in time order,
// the last lines, those since a time, and then, while following, the new lines as
// they come.
//
// A module's status directory holds one file per stream, __stdout and __stderr.
// In the Text format every line is
//
//	2026-11-24T15:04:05.123+01:00 text
//
// (TimestampLayout, one space, then the text: arbitrary bytes, of any length), or
// just the text when the module has timestamps switched off. A line without a
// timestamp gets the time of the previous line of its file, or the file's mtime
// for the first one. In the JSON format every line is one JSON record
// (logmux.AppendRecord), which always has its time:
//
//	{"ts":"2026-11-24T14:04:05.123456789Z","module":"web","stream":"stdout","pid":4242,"line":"text"}
//
// A reload may change a module's format, so a file may hold lines of both: the
// readers take each line for what it is (ParseRecord, then ParseLine).
//
// When a file passes its maximum size it is renamed to
// __stdout.2006-01-02T15-04-05.000 (RotatedName: with "-1", "-2"... if that name
// existed) and a new __stdout is started; the oldest rotated files are deleted.
// The rotated files, oldest first, and then the current one hold a stream's log in
// order (RotatedFiles).
//
// The writer takes the pieces of lines that logmux cuts a child's output into
// (logmux.End) and joins them back into whole lines. The readers load no whole
// file: a stream is read line by line, the last N lines are found by reading the
// files backwards, and only one line per stream is held while merging.
package logfiles

import (
	"time"

	"svman/logmux"
)

// TimestampLayout is the time at the start of every line of a module's log file,
// followed by one space: RFC 3339 with milliseconds, in local time with its
// offset. In UTC it ends in "Z" rather than "+00:00"; both are understood.
const TimestampLayout = "2006-01-02T15:04:05.000Z07:00"

// The names of a module's current log files in its status directory.
const (
	StdoutFile = "__stdout"
	StderrFile = "__stderr"
)

// Source is one module whose logs are read: its name and its status directory.
type Source struct {
	Module string
	Dir    string
}

// Line is one line of a module's log.
type Line struct {
	Time   time.Time
	Module string
	Stream logmux.Stream // logmux.Stdout or logmux.Stderr
	// Text is the line without timestamp and newline, exactly as written. It is only
	// valid during the call that receives it.
	Text []byte
	// PID is the child that wrote the line, as its JSON record says; 0 when not
	// known (a line of a Text file).
	PID int
	// Parsed: the line is a JSON object its record kept as such (ParseJSON).
	Parsed bool
	// Cut: Text is a piece of a line longer than a JSON record holds; the
	// next line of the stream goes on with it.
	Cut bool
}

// Options says which lines Read gives.
type Options struct {
	// Since skips the lines older than this time; zero: no limit.
	Since time.Time
	// Tail > 0 gives only the last Tail lines (of the merged output) of what the
	// files hold when Read starts; Tail < 0 gives none of them (with Follow: only
	// the new lines); 0 gives them all.
	Tail int
	// Follow, after what exists, waits for new lines and gives them as they come,
	// until the context is done: through rotations, restarts, and status
	// directories or files that do not exist yet.
	Follow bool
	// Following, if set, is called once with Follow, when what the files held
	// is given and Read starts waiting for new lines (for a server to answer
	// then, and not before a file turns out unreadable).
	Following func()
}

// FileName returns the name of a stream's current file in a module's status
// directory: StdoutFile or StderrFile.
func FileName(s logmux.Stream) string {
	if s == logmux.Stderr {
		return StderrFile
	}
	return StdoutFile
}
