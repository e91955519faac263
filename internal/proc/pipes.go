package proc

import (
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"svman/internal/fdwatch"
	"svman/logmux"
)

// partialLineIdle is how long a line without its newline waits for the rest
// before it is shown anyway.
const partialLineIdle = 200 * time.Millisecond

// Sink is where the lines of one output stream of a child go. Emit and Flush of
// one Output are called from one goroutine at a time, never concurrently.
type Sink struct {
	Emit  func(line []byte, end logmux.End) // must not retain line
	Flush func()                            // after the lines of each read
}

// Output is where a child's output goes: Streams[0] gets its stdout, Streams[1]
// its stderr. Pace, if set, is called after each read has been flushed, and may
// wait (for a console slower than the child); the pipe is not read meanwhile.
type Output struct {
	Streams [2]Sink
	Pace    func()
	// Started, if set, is told the child's pid once it is forked, before any of
	// its output is read.
	Started func(pid int)
}

// Pipes are the stdout and stderr pipes of one child. The child gets the write
// ends; the read ends are read when the watcher says they are readable, by a
// goroutine that lives only as long as the read (a thousand idle modules cost no
// stacks), and closed at end of file. Done is closed when both streams have ended.
type Pipes struct {
	r, w    [2]*os.File
	running atomic.Int32 // streams still copying; the last one closes done
	done    chan struct{}

	pace  func()
	lines [2]*logmux.Lines
	// watches are set by watch once Add returns, or by the first service, which
	// may run before Add has returned: whichever comes first.
	watches [2]atomic.Pointer[fdwatch.Watch]
	ended   [2]atomic.Bool // end ran
}

// newPipes makes the two pipes of a child (see unpolledPipe).
func newPipes() (*Pipes, error) {
	p := &Pipes{done: make(chan struct{})}
	for i := range p.r {
		r, w, err := unpolledPipe()
		if err != nil {
			p.closeReadEnds()
			p.closeWriteEnds()
			return nil, err
		}
		p.r[i], p.w[i] = r, w
	}
	return p, nil
}

// unpolledPipe is os.Pipe, but for the runtime's poller, which never sees
// these pipes: nothing waits on them there (the watcher says when the read end
// is readable, and Lines reads it without waiting; the write end is the
// child's), while each descriptor in that poller costs half a KiB of memory
// that the runtime never gives back. The read end is non-blocking, the write
// end blocking, as a child expects its stdout to be.
func unpolledPipe() (r, w *os.File, err error) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return nil, nil, os.NewSyscallError("pipe2", err)
	}
	// Blocking when os.NewFile sees them: only a non-blocking descriptor is
	// added to the poller.
	r, w = os.NewFile(uintptr(fds[0]), "|0"), os.NewFile(uintptr(fds[1]), "|1")
	if err := unix.SetNonblock(fds[0], true); err != nil {
		r.Close()
		w.Close()
		return nil, nil, os.NewSyscallError("fcntl", err)
	}
	return r, w, nil
}

func (p *Pipes) closeWriteEnds() {
	for _, f := range p.w {
		if f != nil {
			f.Close()
		}
	}
}

func (p *Pipes) closeReadEnds() {
	for _, f := range p.r {
		if f != nil {
			f.Close()
		}
	}
}

// start registers both read ends with fds, their lines going to out. A pipe the
// watcher cannot take is closed (the child's writes to it fail) and the error
// returned.
func (p *Pipes) start(fds *fdwatch.Watcher, out Output) error {
	p.pace = out.Pace
	if p.pace == nil {
		p.pace = func() {}
	}
	p.running.Store(2)
	var werr error
	for i, sink := range out.Streams {
		if err := p.watch(fds, i, sink); err != nil {
			p.ended[i].Store(true)
			p.r[i].Close()
			p.streamEnded()
			werr = err
		}
	}
	return werr
}

// watch registers pipe i with the watcher.
func (p *Pipes) watch(fds *fdwatch.Watcher, i int, sink Sink) error {
	l, err := logmux.NewLines(p.r[i], partialLineIdle, sink.Emit, sink.Flush)
	if err != nil {
		return err
	}
	p.lines[i] = l // before Add: the callback may run at once
	x, err := fds.Add(l.FD(), func(x *fdwatch.Watch) { go p.service(i, x) })
	if err != nil {
		return err
	}
	p.watches[i].CompareAndSwap(nil, x)
	return nil
}

// service copies what pipe i holds now, then waits for the watcher again: after
// pace, so that a child writing faster than its output is taken waits in its
// full pipe.
func (p *Pipes) service(i int, x *fdwatch.Watch) {
	p.watches[i].CompareAndSwap(nil, x)
	if !p.lines[i].Service() {
		p.pace()
		if x.Rearm() == nil {
			return
		}
	}
	// End of file, a read error, or Abort ended the stream meanwhile.
	p.end(i)
}

// end finishes pipe i once: no more callbacks, the partial line emitted, the
// read end closed.
func (p *Pipes) end(i int) {
	if !p.ended[i].CompareAndSwap(false, true) {
		return
	}
	p.watches[i].Load().Remove()
	p.lines[i].Finish()
	p.r[i].Close()
	p.streamEnded()
}

func (p *Pipes) streamEnded() {
	if p.running.Add(-1) == 0 {
		close(p.done)
	}
}

// Done is closed once both streams have ended.
func (p *Pipes) Done() <-chan struct{} { return p.done }

// ReadNow reads what the pipes hold now and emits their lines, and ends a stream
// that reached end of file. It is how an owner shows what a child wrote before
// the exit it is about to report.
func (p *Pipes) ReadNow() {
	for i, l := range p.lines {
		if !p.ended[i].Load() && l.Service() {
			p.end(i)
		}
	}
}

// Abort ends both streams now, whatever still holds the pipes open.
func (p *Pipes) Abort() {
	for i := range p.r {
		p.end(i)
	}
}

// Drain waits for every one of ps to reach end of file, and after within ends
// the streams that something outside the child (a process that left its group)
// still holds open.
func Drain(ps []*Pipes, within time.Duration) {
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for _, p := range ps {
		select {
		case <-p.done:
		case <-deadline.C:
			for _, p := range ps {
				p.Abort()
			}
		}
	}
	for _, p := range ps {
		<-p.done
	}
}
