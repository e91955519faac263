package engine

import (
	"os"
	"sync/atomic"
	"time"

	"svman/internal/fdwatch"
	"svman/logmux"
)

// partialLineIdle is how long a line without its newline waits for the rest
// before it is shown anyway.
const partialLineIdle = 200 * time.Millisecond

// pumpDrain bounds how long a released module waits for its output pipes to reach
// end of file: a process that left the group (setsid) may hold them open forever.
const pumpDrain = 2 * time.Second

// pumpSet is the pair of pipes of one child: r[0] stdout, r[1] stderr. The child
// gets the write ends; the pumps own the read ends and close them at end of file;
// done is closed when both streams have ended.
//
// A pipe has no goroutine of its own: the engine's fdwatch says when it is
// readable, and a goroutine that lives only as long as the read copies what is
// there (a thousand idle modules cost no pump stacks).
type pumpSet struct {
	r, w    [2]*os.File
	running atomic.Int32 // streams still copying; the last one closes done
	done    chan struct{}

	pace    func() // waits for a console slower than the module (Output.Pace)
	lines   [2]*logmux.Lines
	watches [2]*fdwatch.Watch // set and read by the supervisor
	ended   [2]atomic.Bool    // end ran
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
// waits for them; drainPumps bounds that when supervision ends. A pipe the
// watcher cannot take is closed (the child's writes to it fail) and the error
// returned.
func (s *supervisor) startPumps(ps *pumpSet) error {
	var werr error
	live := s.pumps[:0]
	for _, old := range s.pumps {
		select {
		case <-old.done:
		default:
			live = append(live, old)
		}
	}
	s.pumps = append(live, ps)
	ps.pace = func() {}
	if s.out != nil {
		ps.pace = func() { s.out.Pace(s.name) }
	}
	ps.running.Store(2)
	for i, stream := range [2]logmux.Stream{logmux.Stdout, logmux.Stderr} {
		file := s.files[i] // opened for the life of the supervision; nil if it could not be
		// The lines of one read share one time and go to the console as one
		// batch: a module writing as fast as it can then costs a clock read and a
		// console hand-off per read, not per line. Both pumps call emit and flush
		// from one goroutine at a time, so now and batch need no lock.
		var now time.Time
		var batch logmux.Batch
		emit := func(line []byte, end logmux.End) {
			if now.IsZero() {
				now = time.Now()
			}
			if file != nil {
				file.LineAt(now, line, end) // the file first: it gets every line
			}
			batch.Add(line, end)
		}
		flush := func() {
			if file != nil {
				s.fileFlushed(file, file.Flush())
			}
			s.shown.Lock() // after the events of a step under way (order.go)
			s.out.WriteLines(s.name, stream, now, &batch)
			s.shown.Unlock()
			batch.Reset()
			now = time.Time{}
		}
		if err := ps.watch(s.fds, i, emit, flush); err != nil {
			ps.ended[i].Store(true)
			ps.r[i].Close()
			ps.streamEnded()
			werr = err
		}
	}
	return werr
}

// watch registers pipe i with the watcher.
func (ps *pumpSet) watch(fds *fdwatch.Watcher, i int, emit func([]byte, logmux.End), flush func()) error {
	l, err := logmux.NewLines(ps.r[i], partialLineIdle, emit, flush)
	if err != nil {
		return err
	}
	ps.lines[i] = l // before Add: the callback may run at once
	x, err := fds.Add(l.FD(), func(x *fdwatch.Watch) { go ps.service(i, x) })
	if err != nil {
		return err
	}
	ps.watches[i] = x
	return nil
}

// service copies what pipe i holds now, then waits for the watcher again: after
// the console has room for more (pace), so that a module writing faster than the
// console takes lines waits in its full pipe.
func (ps *pumpSet) service(i int, x *fdwatch.Watch) {
	if !ps.lines[i].Service() {
		ps.pace()
		if x.Rearm() == nil {
			return
		}
	}
	// End of file, a read error, or drainPumps ended the stream meanwhile.
	ps.end(i, x)
}

// end finishes watched pipe i once: no more callbacks, the partial line shown,
// the read end closed.
func (ps *pumpSet) end(i int, x *fdwatch.Watch) {
	if !ps.ended[i].CompareAndSwap(false, true) {
		return
	}
	x.Remove()
	ps.lines[i].Finish()
	ps.r[i].Close()
	ps.streamEnded()
}

func (ps *pumpSet) streamEnded() {
	if ps.running.Add(-1) == 0 {
		close(ps.done)
	}
}

// abort ends both streams now, whatever still holds the pipes open.
func (ps *pumpSet) abort() {
	for i := range ps.r {
		ps.end(i, ps.watches[i])
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
				ps.abort()
			}
		}
	}
	for _, ps := range s.pumps {
		<-ps.done
	}
	s.pumps = nil
}
