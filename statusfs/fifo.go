package statusfs

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"svman/internal/fdwatch"
)

// ensureFIFO creates the FIFO name (0600) in the directory dirfd, whose path is dir,
// if it is missing. An existing FIFO is kept (a legacy supervise may have made it)
// but must pass the same ownership checks as the directory; anything else there
// (a link included) is an error.
func ensureFIFO(dirfd int, dir, name string) error {
	p := filepath.Join(dir, name)
	err := unix.Mkfifoat(dirfd, name, fileMode)
	if err == nil {
		return nil
	}
	if err != unix.EEXIST {
		return &os.PathError{Op: "mkfifo", Path: p, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "lstat", Path: p, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return fmt.Errorf("%s exists but is not a FIFO (%v): remove it so that a FIFO can be made there", p, fs.FileMode(st.Mode&unix.S_IFMT))
	}
	return checkStat(&st, p, "FIFO", "chmod 0600")
}

// openFIFO opens the FIFO name of the directory dirfd (whose path is dir) with
// flag (os.O_RDWR for control, os.O_RDONLY for ok) and O_NONBLOCK, since opening
// a FIFO for reading would otherwise wait for a writer; a link or anything but a
// FIFO there is refused. control stays non-blocking, for TryReadControl's reads
// that never wait; ok is never read, only held open, and is made blocking.
// Neither is in the runtime's poller (unpolledFile).
func openFIFO(dirfd int, dir, name string, flag int) (*os.File, error) {
	p := filepath.Join(dir, name)
	fd, err := openAt(dirfd, name, flag|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: p, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		unix.Close(fd)
		return nil, fmt.Errorf("%s is not a FIFO", p)
	}
	return unpolledFile(fd, p, flag == os.O_RDWR)
}

// unpolledFile is the *os.File of fd, kept out of the runtime's poller, where
// nothing waits on svman's FIFOs (fdwatch says when control is readable, and
// its reads never wait) while each descriptor there costs half a KiB of memory
// that the runtime never gives back. os.NewFile adds only a non-blocking
// descriptor to the poller: fd is blocking when it sees it, and made
// non-blocking after if nonblock. Never call Fd() on such a file: it would make
// it blocking again.
func unpolledFile(fd int, name string, nonblock bool) (*os.File, error) {
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "fcntl", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), name)
	if nonblock {
		if err := unix.SetNonblock(fd, true); err != nil {
			f.Close()
			return nil, &os.PathError{Op: "fcntl", Path: name, Err: err}
		}
	}
	return f, nil
}

// TryReadControl reads command bytes from the control FIFO into p, without
// waiting: the caller learns by itself (through ControlFD) when the FIFO is
// readable, and gets 0 and no error when no byte is waiting. Each byte is one
// command; unknown bytes (such as the newline of `echo d > control`) are for the
// caller to ignore. It never returns io.EOF: the Dir holds the FIFO open for
// writing too. It reads the control FIFO in place at the time of the call, under
// closeMu: a concurrent Repair that replaces the FIFO comes wholly before or
// after it, so every byte is read once, from the old FIFO or (carried) from the
// new one. After Close it returns an error wrapping os.ErrClosed.
func (d *Dir) TryReadControl(p []byte) (n int, err error) {
	err = d.withControl("read control", func(f *os.File) error {
		rc, err := f.SyscallConn()
		if err != nil {
			return err
		}
		var rerr error
		n, rerr, err = fdwatch.ReadNow(rc, p)
		switch {
		case err != nil:
			return err
		case rerr == unix.EAGAIN:
			n = 0
		case rerr != nil:
			return &os.PathError{Op: "read", Path: f.Name(), Err: rerr}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// ControlFD is the descriptor of the control FIFO, for registering with a
// poller. It is the Dir's: valid until Close, or until a Repair that recreates
// the FIFO; never close it or make it blocking.
func (d *Dir) ControlFD() (fd int, err error) {
	err = d.withControl("control", func(f *os.File) error {
		rc, err := f.SyscallConn()
		if err != nil {
			return err
		}
		return rc.Control(func(u uintptr) { fd = int(u) })
	})
	return fd, err
}

// withControl calls fn with the open control FIFO, holding closeMu so that
// neither Close nor Repair closes it meanwhile; fn must not block. Once the Dir
// is closed it returns an error naming op, wrapping os.ErrClosed.
func (d *Dir) withControl(op string, fn func(*os.File) error) error {
	d.closeMu.Lock()
	defer d.closeMu.Unlock()
	if d.closed.Load() {
		return fmt.Errorf("%s of %s: %w", op, d.path, os.ErrClosed)
	}
	return fn(d.control)
}
