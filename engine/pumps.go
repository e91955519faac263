package engine

import (
	"os"
	"sync/atomic"
	"time"

	"svman/logmux"
)

// partialLineIdle is how long a line without its newline waits for the rest
// before it is shown anyway.
const partialLineIdle = 200 * time.Millisecond

// pumpDrain bounds how long a released module waits for its output pipes to reach
// end of file: a process that left the group (setsid) may hold them open forever.
const pumpDrain = 2 * time.Second

// pumpSet is the pair of pipes of one child: r[0] stdout, r[1] stderr. The child
// gets the write ends; the two pump goroutines own the read ends and close them at
// end of file; done is closed when both have returned.
type pumpSet struct {
	r, w    [2]*os.File
	running atomic.Int32 // pumps still copying; the last one closes done
	done    chan struct{}
}

func newPumpSet() (*pumpSet, error) {
	ps := &pumpSet{done: make(chan struct{})}
	for i := range ps.r {
		r, w, err := os.Pipe()
		if err != nil {
			ps.closeReadEnds()
			ps.closeWriteEnds()
			return nil, err
		}
		ps.r[i], ps.w[i] = r, w
	}
	return ps, nil
}

func (ps *pumpSet) closeWriteEnds() {
	for _, f := range ps.w {
		if f != nil {
			f.Close()
		}
	}
}

func (ps *pumpSet) closeReadEnds() {
	for _, f := range ps.r {
		if f != nil {
			f.Close()
		}
	}
}

// startPumps copies the child's output to the console line by line. The pumps
// outlive the child as long as anything holds the pipes open, so a restart never
// waits for them; drainPumps bounds that when supervision ends.
func (s *supervisor) startPumps(ps *pumpSet) {
	live := s.pumps[:0]
	for _, old := range s.pumps {
		select {
		case <-old.done:
		default:
			live = append(live, old)
		}
	}
	s.pumps = append(live, ps)
	ps.running.Store(2)
	for i, stream := range [2]logmux.Stream{logmux.Stdout, logmux.Stderr} {
		go func() {
			defer func() {
				if ps.running.Add(-1) == 0 {
					close(ps.done)
				}
			}()
			defer ps.r[i].Close()
			file := s.files[i] // opened for the life of the supervision; nil if it could not be
			// The lines of one read share one time and go to the console as one
			// batch: a module writing as fast as it can then costs a clock read and
			// a console hand-off per read, not per line.
			var now time.Time
			var batch logmux.Batch
			_ = logmux.PumpFlush(ps.r[i], partialLineIdle, func(line []byte, cont bool) {
				if now.IsZero() {
					now = time.Now()
				}
				if file != nil {
					file.LineAt(now, line, cont) // the file first: it gets every line
				}
				batch.Add(line, cont)
			}, func() {
				if file != nil {
					s.fileFlushed(file, file.Flush())
				}
				s.out.WriteLines(s.name, stream, now, &batch)
				batch.Reset()
				now = time.Time{}
			})
		}()
	}
}

// drainPumps waits for every pump to reach end of file, and after pumpDrain closes
// the pipes that something outside the group still holds.
func (s *supervisor) drainPumps() {
	deadline := time.NewTimer(pumpDrain)
	defer deadline.Stop()
	for _, ps := range s.pumps {
		select {
		case <-ps.done:
		case <-deadline.C:
			for _, ps := range s.pumps {
				ps.closeReadEnds()
			}
		}
	}
	for _, ps := range s.pumps {
		<-ps.done
	}
	s.pumps = nil
}
