package logmux

import (
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// driveLines makes startPump drive a Lines instead of running Pump, so that the
// pump tests hold for both.
var driveLines bool

// runLines is Pump built from Lines, as an owner with a poller would drive it:
// wait until r is readable, Service, until the stream is over.
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

func TestLinesAsPump(t *testing.T) {
	driveLines = true
	defer func() { driveLines = false }()
	for _, tc := range []struct {
		name string
		f    func(*testing.T)
	}{
		{"ByteByByte", TestPumpByteByByte},
		{"ManyLinesOneWrite", TestPumpManyLinesOneWrite},
		{"PartialAtEOF", TestPumpPartialAtEOF},
		{"PartialAfterIdle", TestPumpPartialAfterIdle},
		{"LongLines", TestPumpLongLines},
		{"BytesUntouched", TestPumpBytesUntouched},
		{"CRLF", TestPumpCRLF},
	} {
		t.Run(tc.name, tc.f)
	}
}
