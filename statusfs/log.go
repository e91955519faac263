package statusfs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Rotation of supervise.log and supervise.log.wf, so that a crash loop cannot fill the disk.
// (The legacy supervise deleted a log past about 1.8 GB, losing it.)
const (
	// maxLogSize is the size a log may not pass: before a line would take it past, the log
	// is renamed to supervise.log.2006-01-02T15-04-05.000 (see rotatedName), and a new
	// one started.
	maxLogSize = 50_000_000 // 50 MB
	// keepLogs is how many rotated logs of each log are kept; older ones are deleted.
	keepLogs = 10
)

// logRotateSize is maxLogSize, a variable so that tests rotate small logs.
var logRotateSize int64 = maxLogSize

// logTimeLayout is the legacy timestamp: local time, to the second.
const logTimeLayout = "2006-01-02 15:04:05"

// Notice appends a "[NOTICE] YYYY-MM-DD HH:MM:SS message" line to supervise.log.
// Like Warning and Fatal it may be called after Close, and ignores write failures:
// logging must never stop supervision.
func (d *Dir) Notice(format string, args ...any) {
	d.logLine(logName, "NOTICE", format, args...)
}

// Warning appends a "[WARNING] ..." line to supervise.log.wf.
func (d *Dir) Warning(format string, args ...any) {
	d.logLine(logWFName, "WARNING", format, args...)
}

// Fatal appends a "[FATAL] ..." line to supervise.log.wf. It only logs; it does not exit.
func (d *Dir) Fatal(format string, args ...any) {
	d.logLine(logWFName, "FATAL", format, args...)
}

// logLine formats one line and appends it to the named log in a single write, first
// rotating the log if the line would take it past logRotateSize. The file is opened and
// closed for every line, so that external rotation (rename, then a new file) takes effect
// at once and no descriptor stays open.
func (d *Dir) logLine(name, level, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	msg = strings.TrimRight(msg, "\r\n")
	// One event, one line: scripts grep and count these lines.
	msg = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(msg)
	now := time.Now()
	line := "[" + level + "] " + now.Format(logTimeLayout) + " " + msg + "\n"

	d.logMu.Lock()
	defer d.logMu.Unlock()
	p := filepath.Join(d.path, name)
	if fi, err := os.Stat(p); err == nil && fi.Size() > 0 && fi.Size()+int64(len(line)) > logRotateSize {
		// A failed rotation leaves the log as it is, and the next line tries again.
		_ = rotateLog(p, now, keepLogs)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	f.Write([]byte(line))
	f.Close()
}
