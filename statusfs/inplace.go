package statusfs

import (
	"errors"
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ErrWrittenInPlace is wrapped by the error WriteStatus returns when status.new
// could not be written or renamed (a full file system, typically) but the 20
// bytes were rewritten in place: the status file is right, but the write was not
// atomic, and the caller should write it again later, when the atomic form may
// work again.
var ErrWrittenInPlace = errors.New("status rewritten in place")

// overwriteStatus rewrites the existing status file in place with b: a pwrite of
// 20 bytes over 20 bytes already allocated needs no new block, so it succeeds on
// a full file system, where status.new cannot be written. It never creates the
// file, and refuses anything but a regular file of exactly StatusSize bytes (it
// opens with O_NONBLOCK|O_NOFOLLOW, so a FIFO or a link put there cannot block it
// or redirect it). A reader that reads during the pwrite may see a mix of the old
// and the new bytes: this form is the fallback, not the rule.
func (d *Dir) overwriteStatus(b []byte) error {
	return d.useDir(func(dirfd int) error { return overwriteStatusAt(dirfd, d.path, b) })
}

// overwriteStatusAt is overwriteStatus in the directory dirfd, whose path is dir.
func overwriteStatusAt(dirfd int, dir string, b []byte) error {
	p := filepath.Join(dir, statusName)
	fd, err := openRegularAt(dirfd, dir, statusName, unix.O_WRONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("fstat %s: %w", p, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size != int64(len(b)) {
		return fmt.Errorf("%s is not a %d-byte regular file: cannot rewrite it in place", p, len(b))
	}
	if err := pwriteAll(fd, b, 0); err != nil {
		return fmt.Errorf("rewrite %s in place: %w", p, err)
	}
	if err := unix.Fsync(fd); err != nil {
		return fmt.Errorf("fsync %s: %w", p, err)
	}
	return nil
}
