package logfiles

import "svman/logmux"

// AppendRecord appends l as one JSON record and its newline, as `svman logs
// --json` prints it and the control API serves it (logmux.AppendRecord): a
// line its JSON record kept as an object stays one ("json"), and a cut piece
// says "cut":true.
func (l Line) AppendRecord(b []byte) []byte {
	if l.Cut {
		b = logmux.AppendRecordHead(b, l.Time, l.Module, l.Stream, l.PID)
		return append(logmux.AppendRecordPiece(b, l.Text), '\n')
	}
	return logmux.AppendRecord(b, l.Time, l.Module, l.Stream, l.PID, l.Text, l.Parsed)
}
