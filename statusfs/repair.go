package statusfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// Names Repair reports, besides lockName, controlName and okName.
const dirName = "directory"

// maxCarried bounds the unread control bytes Repair carries from an old control FIFO
// to the new one: a pipe holds 64 KiB by default.
const maxCarried = 64 << 10

// Repair recreates whatever of the status directory has been deleted or replaced since
// Open (by an operator or a cleanup script), with the same modes and checks as Open:
//
//   - the directory itself, when os.Lstat fails on it (MkdirAll 0700, then the owner
//     and permission checks of Open);
//   - the lock file, when the path is missing or names another file than the one the
//     Dir holds (compared by device and inode): it is created (0644) and flock'ed
//     anew, then the old one is unlocked and closed. If another process took the new
//     lock in the meantime, Repair returns a *LockedError, keeps the old descriptors
//     and leaves the FIFOs alone: the directory belongs to that process now;
//   - the control and ok FIFOs (0600), likewise compared by device and inode: whatever
//     else stands at the path (such as the regular file that `echo d > control` makes
//     once the FIFO is gone) is removed, a FIFO made (an existing FIFO that passes
//     Open's checks is kept), opened as Open does, and put in place of the old
//     descriptor, which is then closed;
//   - the status file, when a directory stands in its place (`rm status; mkdir
//     status`), which no rename can replace: an empty one is removed, one with files
//     in it is renamed to status.aside.TIME (see clearStatus) so nothing is lost.
//     Any other file type there is replaced by the caller's next WriteStatus.
//
// A ReadControl blocked on the old control FIFO carries on on the new one. Bytes
// still unread in the old control FIFO when Repair runs are moved to the new one; but
// bytes written later by a process that opened the old FIFO before it was deleted
// are lost with it (nobody else can reach an unlinked FIFO), as are bytes written into
// a regular file that stood in place of the FIFO.
//
// Repair does not rewrite the status file: the caller does, with the state it knows.
// It returns the names of what it recreated ("directory", "lock", "control", "ok",
// "status"),
// for the log, or nil if nothing was missing, in which case it costs a few stat calls.
// On error it returns what it recreated before the failure; whatever it did not get
// to keeps the old descriptors, and a later Repair tries again. After Close it returns
// an error wrapping os.ErrClosed.
func (d *Dir) Repair() (recreated []string, err error) {
	d.closeMu.Lock()
	defer d.closeMu.Unlock()
	if d.closed {
		return nil, fmt.Errorf("repair status directory %s: %w", d.path, os.ErrClosed)
	}

	if _, err := os.Lstat(d.path); err != nil {
		if err := os.MkdirAll(d.path, 0o700); err != nil {
			return nil, fmt.Errorf("create status directory: %w", err)
		}
		recreated = append(recreated, dirName)
	}
	lockGone := d.replaced(d.lock, lockName)
	controlGone := d.replaced(d.control, controlName)
	okGone := d.replaced(d.ok, okName)
	statusBlocked := d.statusIsDirectory()
	if recreated == nil && !lockGone && !controlGone && !okGone && !statusBlocked {
		return nil, nil
	}
	if err := checkOwned(d.path, "status directory", "chmod go-w"); err != nil {
		return recreated, err
	}

	// The lock comes first, as in Open: only its holder may touch the FIFOs.
	if lockGone {
		f, err := takeLock(d.path)
		if err != nil {
			return recreated, err
		}
		old := d.lock
		d.lock = f
		flock(old, unix.LOCK_UN)
		old.Close()
		recreated = append(recreated, lockName)
	}
	if controlGone {
		f, err := d.reopenFIFO(controlName, os.O_RDWR)
		if err != nil {
			return recreated, err
		}
		carryUnread(d.control, f)
		// Install the new descriptor before closing the old one, both under closeMu:
		// a ReadControl woken by the close then finds the new one (see ReadControl).
		old := d.control
		d.control = f
		old.Close()
		recreated = append(recreated, controlName)
	}
	if okGone {
		f, err := d.reopenFIFO(okName, os.O_RDONLY)
		if err != nil {
			return recreated, err
		}
		old := d.ok
		d.ok = f
		old.Close()
		recreated = append(recreated, okName)
	}
	if statusBlocked {
		if err := d.clearStatus(); err != nil {
			return recreated, err
		}
		recreated = append(recreated, statusName)
	}
	return recreated, nil
}

// replaced reports whether dir/name is missing or is another file than f.
func (d *Dir) replaced(f *os.File, name string) bool {
	onDisk, err := os.Lstat(filepath.Join(d.path, name))
	if err != nil {
		return true
	}
	held, err := f.Stat() // fstat: does not call Fd, so f stays non-blocking
	if err != nil {
		return true
	}
	return !os.SameFile(onDisk, held) // same device and inode
}

// reopenFIFO makes dir/name a FIFO again, removing whatever non-FIFO stands there,
// and opens it as Open does (openFIFO).
func (d *Dir) reopenFIFO(name string, flag int) (*os.File, error) {
	p := filepath.Join(d.path, name)
	if fi, err := os.Lstat(p); err == nil && fi.Mode().Type() != fs.ModeNamedPipe {
		if err := os.Remove(p); err != nil {
			return nil, fmt.Errorf("%s is not a FIFO and cannot be removed: %w", p, err)
		}
	}
	if err := ensureFIFO(p); err != nil {
		return nil, err
	}
	f, err := openFIFO(p, flag)
	if err != nil {
		return nil, err
	}
	// Something may have replaced the FIFO between ensureFIFO and the open.
	if fi, err := f.Stat(); err != nil || fi.Mode().Type() != fs.ModeNamedPipe {
		f.Close()
		return nil, fmt.Errorf("%s was replaced by something else than a FIFO while being recreated", p)
	}
	return f, nil
}

// carryUnread moves the bytes buffered in the old control FIFO into the new one,
// without blocking. It works on the raw descriptors through Control, which does not
// wait for the read lock that a ReadControl parked on from holds.
func carryUnread(from, to *os.File) {
	var buf []byte
	if rc, err := from.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) {
			chunk := make([]byte, 4096)
			for len(buf) < maxCarried {
				n, err := unix.Read(int(fd), chunk)
				if err == unix.EINTR {
					continue
				}
				if n <= 0 {
					return
				}
				buf = append(buf, chunk[:n]...)
			}
		})
	}
	if len(buf) == 0 {
		return
	}
	if rc, err := to.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) {
			for len(buf) > 0 {
				n, err := unix.Write(int(fd), buf)
				if err == unix.EINTR {
					continue
				}
				if n <= 0 {
					return // full: the rest is lost, as it would have been anyway
				}
				buf = buf[n:]
			}
		})
	}
}

// statusIsDirectory reports whether a directory stands where the status file
// should be.
func (d *Dir) statusIsDirectory() bool {
	fi, err := os.Lstat(filepath.Join(d.path, statusName))
	return err == nil && fi.IsDir()
}

// clearStatus makes way for the status file where a directory stands: an empty
// directory is removed; one with files in it is renamed to
// status.aside.2006-01-02T15-04-05.000 in the same directory, for its owner to
// look at. The next WriteStatus then puts the file back.
func (d *Dir) clearStatus() error {
	d.statusMu.Lock()
	defer d.statusMu.Unlock()
	p := filepath.Join(d.path, statusName)
	if err := os.Remove(p); err == nil || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	aside := rotatedName(p+".aside", time.Now())
	if err := os.Rename(p, aside); err != nil {
		return fmt.Errorf("a directory stands in place of %s and cannot be moved away: %w", p, err)
	}
	return nil
}
