package engine

import (
	"sync/atomic"
	"time"

	"svman/internal/proc"
	"svman/logmux"
)

// pumpDrain bounds how long a released module waits for its output pipes to reach
// end of file: a process that left the group (setsid) may hold them open forever.
const pumpDrain = 2 * time.Second

// output is where the lines of a child of the module go: each line to the
// module's log file of its stream first (it gets every line), then the lines of
// one read, as one batch with one time, to the console, after the events of a
// step under way (order.go). A module writing as fast as it can then costs a
// clock read and a console hand-off per read, not per line.
//
// run is the run (s.starts) the child is of, whose lines may match the ready
// log probe; 0 for an on_exit hook, whose lines never do.
func (s *supervisor) output(run uint64) proc.Output {
	var out proc.Output
	if s.cfg.Output != nil {
		out.Pace = func() { s.cfg.Output.Pace(s.name) }
	}
	var pid atomic.Int64 // the child's, told before its output is read
	out.Started = func(p int) { pid.Store(int64(p)) }
	for i, stream := range [2]logmux.Stream{logmux.Stdout, logmux.Stderr} {
		file := s.files[i] // opened for the life of the supervision; nil if it could not be
		// Emit and Flush of one stream are never called concurrently (proc.Sink),
		// so now and batch need no lock.
		var now time.Time
		var batch logmux.Batch
		var child int
		out.Streams[i] = proc.Sink{
			Emit: func(line []byte, end logmux.End) {
				if now.IsZero() {
					now, child = time.Now(), int(pid.Load())
					batch.PID = child
				}
				if file != nil {
					file.LineAt(now, child, line, end)
				}
				batch.Add(line, end)
				s.matchReadyLog(run, line)
			},
			Flush: func() {
				if file != nil {
					s.fileFlushed(file, file.Flush())
				}
				s.shown.Lock()
				if s.cfg.Output != nil {
					batch.Parse = s.parseJSON.Load()
					s.cfg.Output.WriteLines(s.name, stream, now, &batch)
				}
				s.shown.Unlock()
				batch.Reset()
				now = time.Time{}
			},
		}
	}
	return out
}

// keepPipes adds the pipes of a new child to those of the module's earlier
// children that something still holds open: they outlive their child, so a
// restart never waits for them, and drainPumps bounds that when supervision ends.
func (s *supervisor) keepPipes(p *proc.Pipes) {
	live := s.pipes[:0]
	for _, old := range s.pipes {
		select {
		case <-old.Done():
		default:
			live = append(live, old)
		}
	}
	s.pipes = append(live, p)
}

// drainPumps waits, at most pumpDrain, for every pipe of the module to reach end
// of file.
func (s *supervisor) drainPumps() {
	proc.Drain(s.pipes, pumpDrain)
	s.pipes = nil
}

// matchReadyLog tells the supervisor, once, that a line of output of run
// matched its ready log probe while that run waits for one. A pump calls it for every line: when
// no log probe waits, it costs one atomic load.
func (s *supervisor) matchReadyLog(run uint64, line []byte) {
	re := s.chk.logRE.Load()
	if re == nil || run == 0 || s.chk.logRun.Load() != run || !re.Match(line) || !s.chk.logRE.CompareAndSwap(re, nil) {
		return
	}
	s.chk.logMatched.Store(run)
	s.tell(newsLogMatched)
}
