package proc

import (
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A child's output pipes stay out of the runtime's poller, which keeps half a
// KiB for every descriptor it ever held at once and never gives it back (3 KiB
// a module, with the pipes of a thousand modules starting together). The read
// ends are non-blocking, as Lines' reads need; the write ends, the child's
// stdout and stderr, are blocking, as a child expects.
func TestPipesStayOutOfThePoller(t *testing.T) {
	p, err := newPipes()
	if err != nil {
		t.Fatal(err)
	}
	defer p.closeReadEnds()
	defer p.closeWriteEnds()
	for i := range p.r {
		for _, f := range []*os.File{p.r[i], p.w[i]} {
			if err := f.SetReadDeadline(time.Time{}); !errors.Is(err, os.ErrNoDeadline) {
				t.Errorf("pipe %d, %s: SetReadDeadline = %v, want os.ErrNoDeadline (a file out of the poller)", i, f.Name(), err)
			}
		}
		if !nonBlocking(t, p.r[i]) {
			t.Errorf("pipe %d: the read end is blocking", i)
		}
		if nonBlocking(t, p.w[i]) {
			t.Errorf("pipe %d: the write end is non-blocking", i)
		}
	}
}

func nonBlocking(t *testing.T, f *os.File) bool {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fl int
	if err := rc.Control(func(fd uintptr) { fl, err = unix.FcntlInt(fd, unix.F_GETFL, 0) }); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return fl&unix.O_NONBLOCK != 0
}
