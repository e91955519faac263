package statusfs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// A file of the status directory is rewritten in place (one pwrite over the
// existing file, no new inode) in two cases: when status.new cannot be written
// (a full file system: overwriteStatus), and for the last status and state.json
// of a supervision (WriteLastStatus, WriteLastState), which every module writes
// at once when svman stops.
//
// A rewrite in place is one pwrite at offset 0 of at most a page, which never
// makes the file shorter: the kernel copies a write that stays within one page
// whole before it acts on a SIGKILL, so a crash of svman leaves the old bytes
// or the new ones, never a mix and never a short file. A reader that reads
// during the pwrite itself may see a mix: that is the price, paid only where
// the atomic form costs what the callers cannot pay.

// ErrWrittenInPlace is wrapped by the error WriteStatus returns when status.new
// could not be written or renamed (a full file system, typically) but the 20
// bytes were rewritten in place: the status file is right, but the write was not
// atomic, and the caller should write it again later, when the atomic form may
// work again.
var ErrWrittenInPlace = errors.New("status rewritten in place")

// errNotInPlace is returned when the file is not one a rewrite in place may
// replace: missing, not a regular file, not the expected size.
var errNotInPlace = errors.New("cannot be rewritten in place")

// overwriteStatus rewrites the existing status file in place with b, and fsyncs
// it: a pwrite of 20 bytes over 20 bytes already allocated needs no new block,
// so it succeeds on a full file system, where status.new cannot be written. It
// never creates the file, and refuses anything but a regular file of exactly
// StatusSize bytes.
func (d *Dir) overwriteStatus(b []byte) error {
	return d.useDir(func(dirfd int) error { return rewriteAt(dirfd, d.path, statusName, b, false, true) })
}

// WriteLastStatus writes s as the last status of this supervision: in place,
// over the existing 20-byte status file, and not fsync'd. At shutdown every
// module writes its last status at once, and status.new renamed over status
// would cost each a new inode (which ext4 finds by scanning past every inode
// freed in the last seconds, as each rename frees one) and an fsync that waits
// for the disk; svman's exit would wait for all of them. A crash of svman still
// leaves the old status or the new one, whole (see above); a crash of the
// machine before the kernel writes the page back leaves the status svman had
// before the stop, as a crash while it ran would.
//
// Where there is no 20-byte regular file to rewrite (deleted, replaced), it
// writes as WriteStatus does.
func (d *Dir) WriteLastStatus(s Status) error {
	b := s.Encode()
	d.statusMu.Lock()
	defer d.statusMu.Unlock()
	err := d.rewriteLocked(statusName, b[:], false)
	if err != nil {
		err = d.writeStatusLocked(b[:])
	}
	d.written.wroteStatus(s, err)
	return err
}

// WriteLastState records st in state.json as the last state of this
// supervision: in place, as WriteLastStatus writes the status, padded with
// spaces (which JSON allows after a value) where the new version is shorter, so
// that the file never shrinks. A version longer than a page, or no regular file
// to rewrite, is written as WriteState does.
func (d *Dir) WriteLastState(st State) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("write %s in %s: %w", stateName, d.path, err)
	}
	d.statusMu.Lock()
	defer d.statusMu.Unlock()
	err = d.rewriteLocked(stateName, b, true)
	if err != nil {
		err = d.replaceOrRemoveLocked(stateName, stateNewName, b)
	}
	d.written.wroteState(st, err)
	return err
}

// rewriteLocked is rewriteAt in the directory, with statusMu held, not fsync'd.
func (d *Dir) rewriteLocked(name string, b []byte, pad bool) error {
	if d.isClosed() {
		return fmt.Errorf("write %s in %s: %w", name, d.path, os.ErrClosed)
	}
	return d.useDir(func(dirfd int) error { return rewriteAt(dirfd, d.path, name, b, pad, false) })
}

// rewriteAt rewrites the existing regular file name of the directory dirfd
// (whose path is dir) in place with b, in one pwrite at offset 0, then fsyncs
// it if sync. The file must be exactly as long as b, or, with pad, at most a
// page long: b is then padded with spaces to its size if it is shorter. It never creates the file,
// and opens it with O_NONBLOCK|O_NOFOLLOW, so that a FIFO or a link put there
// cannot block it or redirect it; anything else there is errNotInPlace.
func rewriteAt(dirfd int, dir, name string, b []byte, pad, sync bool) error {
	p := filepath.Join(dir, name)
	page := int64(os.Getpagesize())
	if int64(len(b)) > page {
		return fmt.Errorf("%s: %d bytes, more than a page: %w", p, len(b), errNotInPlace)
	}
	fd, err := openRegularAt(dirfd, dir, name, unix.O_WRONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("fstat %s: %w", p, err)
	}
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return fmt.Errorf("%s is not a regular file: %w", p, errNotInPlace)
	case pad && st.Size > page:
		return fmt.Errorf("%s is longer than a page: %w", p, errNotInPlace)
	case !pad && st.Size != int64(len(b)):
		return fmt.Errorf("%s is not %d bytes long: %w", p, len(b), errNotInPlace)
	}
	if n := int(st.Size) - len(b); n > 0 {
		b = append(b[:len(b):len(b)], bytes.Repeat([]byte{' '}, n)...)
	}
	if err := pwriteAll(fd, b, 0); err != nil {
		return fmt.Errorf("rewrite %s in place: %w", p, err)
	}
	if sync {
		if err := unix.Fsync(fd); err != nil {
			return fmt.Errorf("fsync %s: %w", p, err)
		}
	}
	return nil
}
