package statusfs

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// The status file, module.json, state.json and the supervise logs are written
// with direct system calls: os.File would register each regular file with the
// poller (an epoll_ctl that fails, four fcntl calls), which cost more than the
// write itself at shutdown, when every module writes at once.

// openRegularAt opens name in the directory dirfd (whose path is dir) with flag and,
// if it creates it, perm, never following a link (see openAt).
func openRegularAt(dirfd int, dir, name string, flag int, perm uint32) (int, error) {
	fd, err := openAt(dirfd, name, flag, perm)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: filepath.Join(dir, name), Err: err}
	}
	return fd, nil
}

// openRegular opens p with flag for a reader (O_CLOEXEC and O_NOFOLLOW added: a
// link at p is refused), retrying an open interrupted by a signal as os.OpenFile
// does.
func openRegular(p string, flag int) (int, error) {
	for {
		fd, err := unix.Open(p, flag|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
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

// maxReadSize caps what readRegular reads: the files it reads are a few hundred
// bytes, and a cap keeps a mistaken path from eating memory.
const maxReadSize = 1 << 20

// readRegular reads the regular file p, which must hold at most maxReadSize
// bytes. It opens p with O_NONBLOCK and refuses anything but a regular file, so
// that a FIFO put in place of a file of the status directory cannot block a
// reader such as `svman status`.
func readRegular(p string) ([]byte, error) {
	fd, err := openRegular(p, unix.O_RDONLY|unix.O_NONBLOCK)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &os.PathError{Op: "fstat", Path: p, Err: err}
	}
	switch {
	case st.Mode&unix.S_IFMT == unix.S_IFDIR:
		return nil, &os.PathError{Op: "read", Path: p, Err: unix.EISDIR}
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return nil, fmt.Errorf("%s is not a regular file", p)
	case st.Size > maxReadSize:
		return nil, fmt.Errorf("%s is %d bytes, more than the %d expected at most", p, st.Size, maxReadSize)
	}
	b := make([]byte, st.Size)
	n := 0
	for n < len(b) {
		m, err := unix.Read(fd, b[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: p, Err: err}
		}
		if m == 0 {
			break // shrunk since the fstat
		}
		n += m
	}
	return b[:n], nil
}
