package engine

import (
	"fmt"
	"time"

	"svman/statusfs"
)

// The files svman keeps in a status directory (status, state.json, module.json)
// can fail to be written, most often because the file system is full. None of
// them may then lie: statusfs rewrites the status file in place when status.new
// cannot be written, and removes state.json or module.json rather than leave an
// old version. The supervisor reports the first failure once, as a Warning, and
// writes the failed files again (status by way of repairDir, which also clears
// what stands in its way), after fileRetryFirst, then twice as long each time up
// to fileRetryMax, until every one of them is written the normal way; a later
// failure is reported again. The first retry comes soon because some failures
// are brief: a directory made where the status file was, while it was written.

// fileRetryFirst and fileRetryMax bound the wait before a supervisor writes
// again the files of its status directory that failed; variables so that tests
// wait less.
var (
	fileRetryFirst = 100 * time.Millisecond
	fileRetryMax   = 5 * time.Second
)

// fileRetry is what a supervisor remembers of failed writes; owned by run.
type fileRetry struct {
	failed     owedFiles     // written again when retry fires
	retry      wakeup        // set while a retry is due
	retryDelay time.Duration // the wait before the next retry; 0 after a success
	fileWarned bool          // this run of failures has been reported
}

// writeStatus writes the status file; a step does, when it ends (step.go). The
// step that ends the supervision writes it in place (writeLast).
func (s *supervisor) writeStatus() {
	st := statusfs.Status{
		Changed:  s.changed,
		Paused:   s.paused,
		Want:     s.want,
		AlarmsOn: s.alarms,
		PID:      s.pid,
	}
	write := s.dir.WriteStatus
	if s.writeLast() {
		write = s.dir.WriteLastStatus
	}
	s.fileWritten(&s.failed.status, write(st))
}

// writeLast tells whether the step under way is the last of the supervision
// (finish), whose status and state.json are then written in place
// (statusfs.Dir.WriteLastStatus and WriteLastState): nothing follows them but
// the release of the directory, and at shutdown every module writes them at
// once, which the atomic form makes svman's exit wait for (a new inode each,
// and an fsync).
func (s *supervisor) writeLast() bool { return s.finished }

// fileWritten records the outcome of a write of one of the files: a failure
// arms the retry and is reported if it is the first of its run.
func (s *supervisor) fileWritten(failed *bool, err error) {
	*failed = err != nil
	if err == nil {
		if s.failed == (owedFiles{}) {
			s.fileWarned, s.retryDelay = false, 0
		}
		return
	}
	if !s.fileWarned {
		s.fileWarned = true
		s.record(Event{Kind: Warning, Err: fmt.Errorf("%w (svman writes it again, at least every %s, and reports nothing more until its writes succeed)", err, fileRetryMax)})
	}
	if s.retry.armed() {
		return
	}
	s.retryDelay = min(max(2*s.retryDelay, fileRetryFirst), fileRetryMax)
	s.retry.set(time.Now().Add(s.retryDelay), s, newsRetry)
}

// retryFiles writes again, within a step, the files whose last write failed.
func (s *supervisor) retryFiles() {
	failed := s.failed
	if failed == (owedFiles{}) {
		return // written by a step since the timer was armed
	}
	s.repairDir() // writes the status file, after clearing what stands in its way
	if failed.applied {
		s.oweApplied()
	}
	if failed.state {
		s.oweState()
	}
}
