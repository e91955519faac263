package statusfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ErrNotSupervised means no supervisor holds the status directory: its control FIFO
// is missing or nobody has it open for reading.
var ErrNotSupervised = errors.New("no supervisor is running on this status directory")

// openFIFOWrite opens the FIFO p for writing without blocking and returns the raw
// descriptor. With O_NONBLOCK, opening a FIFO for writing fails with ENXIO unless a
// reader holds it open: that is how daemontools' svok tells a supervisor is alive.
// A path that is not a FIFO is refused, so a stray regular file is never written to,
// and so is a link (O_NOFOLLOW), so that a link planted in place of control cannot
// send the bytes to another module's FIFO.
func openFIFOWrite(p string) (int, error) {
	fd, err := unix.Open(p, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: p, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, &os.PathError{Op: "fstat", Path: p, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		unix.Close(fd)
		return -1, fmt.Errorf("%s is not a FIFO", p)
	}
	return fd, nil
}

// Supervised reports whether a supervisor holds dir: it opens dir/ok for writing with
// O_NONBLOCK, which succeeds exactly when a reader (the supervisor) holds it. Any
// failure, including a permission error for another user, answers false.
func Supervised(dir string) bool {
	fd, err := openFIFOWrite(filepath.Join(dir, okName))
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
}

// SendControl writes cmds to dir/control in one write, which the kernel keeps whole
// (for up to PIPE_BUF, 4096 bytes). It never blocks: when nobody holds the FIFO
// (ENXIO) or it is missing (ENOENT) it returns an error wrapping ErrNotSupervised; when
// the FIFO is full or takes only part of cmds, it returns an error.
func SendControl(dir string, cmds []byte) error {
	p := filepath.Join(dir, controlName)
	fd, err := openFIFOWrite(p)
	if err != nil {
		if errors.Is(err, unix.ENXIO) || errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("%s: %w", dir, ErrNotSupervised)
		}
		return err
	}
	defer unix.Close(fd)
	if len(cmds) == 0 {
		return nil
	}
	n, err := unix.Write(fd, cmds)
	for err == unix.EINTR {
		n, err = unix.Write(fd, cmds)
	}
	if err != nil {
		return &os.PathError{Op: "write", Path: p, Err: err}
	}
	if n != len(cmds) {
		return fmt.Errorf("write %s: short write: %d of %d bytes", p, n, len(cmds))
	}
	return nil
}
