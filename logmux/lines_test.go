package logmux

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// runLines drives a Lines as an owner with a poller does: wait until r is
// readable, Service, until the stream is over.
func runLines(r *os.File, idle time.Duration, emit func([]byte, End)) error {
	l, err := NewLines(r, idle, emit, nil)
	if err != nil {
		return err
	}
	fd := l.FD()
	for {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, 100); err != nil && err != unix.EINTR {
			l.Finish()
			return err
		}
		if l.Service() {
			return nil
		}
	}
}
