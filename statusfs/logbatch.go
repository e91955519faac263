package statusfs

import (
	"fmt"
	"time"
)

// LogBatch gathers lines for a Dir's supervise.log and supervise.log.wf, for
// WriteLogs to append in one write to each: a supervisor's step that says
// several things (a child killed, restarted, started) opens each log once,
// where Notice and Warning open it for every line. Each line keeps the time it
// was added at. The zero LogBatch is empty.
type LogBatch struct {
	notices, warnings []byte
}

// Notice adds a "[NOTICE] ..." line for supervise.log, as Dir.Notice writes it.
func (b *LogBatch) Notice(format string, args ...any) {
	b.notices = append(b.notices, formatLogLine("NOTICE", fmt.Sprintf(format, args...), time.Now())...)
}

// Warning adds a "[WARNING] ..." line for supervise.log.wf, as Dir.Warning
// writes it.
func (b *LogBatch) Warning(format string, args ...any) {
	b.warnings = append(b.warnings, formatLogLine("WARNING", fmt.Sprintf(format, args...), time.Now())...)
}

// Empty reports whether the batch holds no line.
func (b *LogBatch) Empty() bool { return len(b.notices) == 0 && len(b.warnings) == 0 }

// WriteLogs appends the batch's lines to the logs, each log's in one write (a
// log is rotated first if they would take it past its size), through one
// descriptor of the directory, and empties the batch. As Notice, it may be
// called after Close, and ignores write failures.
func (d *Dir) WriteLogs(b *LogBatch) {
	if b.Empty() {
		return
	}
	now := time.Now()
	mu := logLock(d.path)
	mu.Lock()
	defer mu.Unlock()
	_ = d.useDir(func(dirfd int) error {
		if len(b.notices) > 0 {
			d.appendLine(dirfd, logName, b.notices, now)
		}
		if len(b.warnings) > 0 {
			d.appendLine(dirfd, logWFName, b.warnings, now)
		}
		return nil
	})
	b.notices, b.warnings = b.notices[:0], b.warnings[:0]
}
