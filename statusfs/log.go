package statusfs

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Rotation of supervise.log and supervise.log.wf, so that a crash loop cannot fill the disk.
// (The legacy supervise deleted a log past about 1.8 GB, losing it.)
const (
	// maxLogSize is the size a log may not pass: before a line would take it past, the log
	// is renamed to supervise.log.2006-01-02T15-04-05.000 (see logfiles.RotatedName), and a new
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

// AppendLog appends a line of level ("NOTICE" to supervise.log; "WARNING" or
// "FATAL" to supervise.log.wf) to the status directory path, which the caller does
// not hold (a supervise that could not take it): the directory is opened and
// checked as Open does, nothing is created but the log, and failures are ignored.
func AppendLog(path, level, format string, args ...any) {
	path = filepath.Clean(path)
	d := &Dir{path: path, root: filepath.Dir(path), name: filepath.Base(path)} // not held: useDir opens it as it stands
	name := logWFName
	if level == "NOTICE" {
		name = logName
	}
	d.logLine(name, level, format, args...)
}

// logLocks holds one mutex per status directory path: every append to its logs,
// with the size check and rotation before it, is made under it, whichever Dir
// value makes it (the supervisor's, or AppendLog's of a legacy supervise that
// shares the directory), so that two writers never rotate one log at once.
var logLocks sync.Map // clean path -> *sync.Mutex

func logLock(path string) *sync.Mutex {
	if mu, ok := logLocks.Load(path); ok {
		return mu.(*sync.Mutex)
	}
	mu, _ := logLocks.LoadOrStore(path, new(sync.Mutex))
	return mu.(*sync.Mutex)
}

// lineBreaks turns a message's line breaks into spaces: one event, one line, as
// scripts grep and count these lines.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// logLine formats one line and appends it to the named log in a single write, first
// rotating the log if the line would take it past logRotateSize. The file is opened and
// closed for every line, so that external rotation (rename, then a new file) takes effect
// at once and no descriptor stays open. The calls are made directly (rawfile.go).
func (d *Dir) logLine(name, level, format string, args ...any) {
	now := time.Now()
	line := formatLogLine(level, fmt.Sprintf(format, args...), now)
	mu := logLock(d.path)
	mu.Lock()
	defer mu.Unlock()
	_ = d.useDir(func(dirfd int) error { d.appendLine(dirfd, name, line, now); return nil })
}

// formatLogLine is msg as one line of level in a supervise log, at local time
// now: "[LEVEL] YYYY-MM-DD HH:MM:SS msg\n", with the line breaks at its end cut
// off and those within it made spaces.
func formatLogLine(level, msg string, now time.Time) []byte {
	msg = strings.TrimRight(msg, "\r\n")
	if strings.ContainsAny(msg, "\r\n") {
		msg = lineBreaks.Replace(msg)
	}
	line := make([]byte, 0, len(level)+len(logTimeLayout)+len(msg)+5)
	line = append(line, '[')
	line = append(line, level...)
	line = append(line, "] "...)
	line = now.AppendFormat(line, logTimeLayout)
	line = append(line, ' ')
	line = append(line, msg...)
	return append(line, '\n')
}

// appendLine appends line to the log name in the directory dirfd, rotating it
// first if the line would take it past logRotateSize, and setting its mode to the
// log mode if an older svman left it more open. The caller holds the path's logLock.
func (d *Dir) appendLine(dirfd int, name string, line []byte, now time.Time) {
	const appendFlags = unix.O_WRONLY | unix.O_APPEND | unix.O_CREAT
	perm := d.opts.logMode()
	fd, err := openRegularAt(dirfd, d.path, name, appendFlags, perm)
	if err != nil {
		return
	}
	var st unix.Stat_t
	statErr := unix.Fstat(fd, &st)
	if statErr == nil && st.Size > 0 && st.Size+int64(len(line)) > logRotateSize {
		// A failed rotation leaves the log as it is, and the next line tries again.
		unix.Close(fd)
		_ = rotateLogAt(dirfd, d.path, name, now, keepLogs)
		if fd, err = openRegularAt(dirfd, d.path, name, appendFlags, perm); err != nil {
			return
		}
		statErr = unix.Fstat(fd, &st)
	}
	if statErr == nil && st.Mode&0o777 != perm && st.Mode&unix.S_IFMT == unix.S_IFREG {
		_ = unix.Fchmod(fd, perm)
	}
	if err := writeAll(fd, line); err != nil && statErr == nil {
		// A full file system took part of the line: cut it off (which needs no
		// space), so the next line does not start in the middle of this one.
		_ = unix.Ftruncate(fd, st.Size)
	}
	unix.Close(fd)
}
