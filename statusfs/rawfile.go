package statusfs

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// The status file, module.json, state.json and the supervise logs are written
// with direct system calls: os.File would register each regular file with the
// poller (an epoll_ctl that fails, four fcntl calls), which cost more than the
// write itself at shutdown, when every module writes at once.

// openRegular opens the regular file p with flag (O_CLOEXEC added; mode 0644 if
// it is created), retrying an open interrupted by a signal as os.OpenFile does.
func openRegular(p string, flag int) (int, error) {
	for {
		fd, err := unix.Open(p, flag|unix.O_CLOEXEC, 0o644)
		if err == nil {
			return fd, nil
		}
		if err != unix.EINTR {
			return -1, &os.PathError{Op: "open", Path: p, Err: err}
		}
	}
}

// writeAll writes all of b to fd: a short write (a full disk) is an error.
func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrShortWrite
		}
		b = b[n:]
	}
	return nil
}

// pwriteAll writes all of b to fd at offset off, as writeAll does.
func pwriteAll(fd int, b []byte, off int64) error {
	for len(b) > 0 {
		n, err := unix.Pwrite(fd, b, off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrShortWrite
		}
		b, off = b[n:], off+int64(n)
	}
	return nil
}
