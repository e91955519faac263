package logmux

import "fmt"

// Stream tells which output of a module a line came from.
type Stream int

const (
	Stdout Stream = iota // the child's stdout: separator '|'
	Stderr               // the child's stderr: separator '!'
	System               // an event reported by svman itself: separator '|'
)

// String returns "stdout", "stderr" or "system".
func (s Stream) String() string {
	switch s {
	case Stdout:
		return "stdout"
	case Stderr:
		return "stderr"
	case System:
		return "system"
	}
	return fmt.Sprintf("Stream(%d)", int(s))
}

// SystemName is the module name under which svman's own lines (Systemf) appear.
const SystemName = "svman"

// CutMarker ends a piece of a line that was cut (End Cut), so a reader sees the
// line goes on: on the console, and in a log file at its longest line.
const CutMarker = " …"
