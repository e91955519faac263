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
// writes the failed files again every fileRetryEvery (status by way of repairDir,
// which also clears what stands in its way), until every one of them is written
// the normal way; a later failure is reported again.

// fileRetryEvery is how often a supervisor tries again to write the files of
// its status directory that failed; a variable so that tests wait less.
var fileRetryEvery = 5 * time.Second

// fileRetry is what a supervisor remembers of failed writes; owned by run.
type fileRetry struct {
	failed     owedFiles        // written again when retryC fires
	retryTimer *time.Timer      // made at the first failure
	retryC     <-chan time.Time // nil while no retry is armed
	fileWarned bool             // this run of failures has been reported
}

// writeStatus writes the status file (at the end of the step: see batch.go).
func (s *supervisor) writeStatus() {
	if s.holding {
		s.owed.status = true
		return
	}
	err := s.dir.WriteStatus(statusfs.Status{
		Changed:  s.changed,
		Paused:   s.paused,
		Want:     s.want,
		AlarmsOn: s.alarms,
		PID:      s.pid,
	})
	s.fileWritten(&s.failed.status, err)
}

// fileWritten records the outcome of a write of one of the files: a failure
// arms the retry and is reported if it is the first of its run.
func (s *supervisor) fileWritten(failed *bool, err error) {
	*failed = err != nil
	if err == nil {
		if s.failed == (owedFiles{}) {
			s.fileWarned = false
		}
		return
	}
	if !s.fileWarned {
		s.fileWarned = true
		s.record(Event{Kind: Warning, Err: fmt.Errorf("%w (svman writes it again every %s, and reports nothing more until its writes succeed)", err, fileRetryEvery)})
	}
	if s.retryC == nil {
		if s.retryTimer == nil {
			s.retryTimer = time.NewTimer(fileRetryEvery)
		} else {
			s.retryTimer.Reset(fileRetryEvery)
		}
		s.retryC = s.retryTimer.C
	}
}

// retryFiles writes again, within a step, the files whose last write failed.
func (s *supervisor) retryFiles() {
	failed := s.failed
	s.repairDir() // writes the status file, after clearing what stands in its way
	if failed.applied {
		s.writeApplied()
	}
	if failed.state {
		s.writeState()
	}
}
