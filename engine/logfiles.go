package engine

import (
	"fmt"
	"os"
	"sync"
	"time"

	"svman/logfiles"
	"svman/logmux"
	"svman/manifest"
)

// logWarnEvery bounds how often a failing log file (a full disk) is reported.
const logWarnEvery = time.Minute

// fileOptions are the options of the module's log file of stream from its log block.
func fileOptions(m manifest.Module, stream logmux.Stream) logfiles.FileOptions {
	l := m.Log
	o := logfiles.FileOptions{
		Timestamps: l.Timestamps, MaxSize: l.MaxSize, Keep: l.Keep, Mode: os.FileMode(l.Mode),
		Module: m.Name, Stream: stream, ParseJSON: l.Parse == manifest.ParseJSON,
	}
	if l.Format == manifest.LogJSON {
		o.Format = logfiles.JSON
	}
	return o
}

// openLogs sets up the module's two log files (s.files[0] stdout, s.files[1]
// stderr) in its status directory for the life of its supervision; each is opened
// at its first line.
func (s *supervisor) openLogs() {
	for i, stream := range [2]logmux.Stream{logmux.Stdout, logmux.Stderr} {
		s.files[i] = logfiles.NewFileIn(s.dir, logfiles.FileName(stream), fileOptions(*s.mod, stream))
	}
	s.parseJSON.Store(s.mod.Log.Parse == manifest.ParseJSON)
}

// closeLogs closes the log files once no pump writes to them any more.
func (s *supervisor) closeLogs() {
	for i, f := range s.files {
		if f != nil {
			s.fileFlushed(f, f.Close())
			s.files[i] = nil
		}
	}
}

// setLogOptions applies a reloaded log block from the next line on; a new mode
// applies to the directory and the open files at once.
func (s *supervisor) setLogOptions() {
	if err := s.dir.SetOptions(dirOptions(*s.mod)); err != nil {
		s.record(Event{Kind: Warning, Err: fmt.Errorf("log mode: %w", err)})
	}
	for i, f := range s.files {
		if f != nil {
			f.SetOptions(fileOptions(*s.mod, logmux.Stream(i)))
		}
	}
	s.parseJSON.Store(s.mod.Log.Parse == manifest.ParseJSON)
}

// fileFlushed reports a log file's failure (a full disk, say), at most once a
// minute: supervision goes on, and the console still shows the lines. Pumps call
// it from their own goroutines; the loop records the warning (warn).
func (s *supervisor) fileFlushed(f *logfiles.File, err error) {
	if err == nil {
		err = f.Err()
	}
	if err == nil {
		return
	}
	s.logWarn.Lock()
	due := time.Since(s.logWarnedAt) >= logWarnEvery
	if due {
		s.logWarnedAt = time.Now()
	}
	s.logWarn.Unlock()
	if due {
		s.warn(fmt.Errorf("log file: %w (reported once a minute)", err))
	}
}

// logWarnState is the rate limit of fileFlushed, shared by the module's pumps.
type logWarnState struct {
	logWarn     sync.Mutex
	logWarnedAt time.Time
}
