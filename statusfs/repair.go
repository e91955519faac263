package statusfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"svman/internal/fdwatch"
	"svman/logfiles"
)

// Names Repair reports, besides lockName, controlName and okName.
const dirName = "directory"

// maxCarried bounds the unread control bytes Repair carries from an old control FIFO
// to the new one: a pipe holds 64 KiB by default.
const maxCarried = 64 << 10

// Repair recreates whatever of the status directory has been deleted or replaced since
// Open (by an operator or a cleanup script), with the same modes and checks as Open:
//
//   - the directory itself, when its path no longer leads to the directory the
//     Dir set up (removed, moved away, a link or another directory in its
//     place): made again relative to status_dir's descriptor (status_dir made
//     again first if it went too), with the checks of Open. The Dir's files are
//     written there once its lock is, and not before;
//   - the lock file, when the path is missing or names another file than the one the
//     Dir holds (compared by device and inode): it is created (0644) and flock'ed
//     anew, then the old one is unlocked and closed. If another process took the new
//     lock in the meantime, Repair returns a *LockedError, keeps the old descriptors
//     and leaves the FIFOs alone: the directory belongs to that process now, and
//     the Dir writes nothing there until a later Repair takes the lock;
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
// Bytes still unread in the old control FIFO when Repair runs are moved to the
// new one, which TryReadControl and ControlFD use from then on; but
// bytes written later by a process that opened the old FIFO before it was deleted
// are lost with it (nobody else can reach an unlinked FIFO), as are bytes written into
// a regular file that stood in place of the FIFO.
//
// Repair does not rewrite the status file: the caller does, with the state it knows.
// It returns the names of what it recreated ("directory", "lock", "control", "ok",
// "status"),
// for the log, or nil if nothing was missing, in which case it costs an open and a
// few stat calls.
// On error it returns what it recreated before the failure; whatever it did not get
// to keeps the old descriptors, and a later Repair tries again. After Close it returns
// an error wrapping os.ErrClosed.
func (d *Dir) Repair() (recreated []string, err error) {
	d.closeMu.Lock()
	defer d.closeMu.Unlock()
	if d.closed.Load() {
		return nil, fmt.Errorf("repair status directory %s: %w", d.path, os.ErrClosed)
	}
	// statusMu before the directory operation, as the writers take them: no
	// status file is written while the directory is repaired.
	d.statusMu.Lock()
	defer d.statusMu.Unlock()
	defer beginDirOp()()
	defer func() {
		if recreated != nil {
			d.written.forget() // the files may be new, or gone
		}
	}()

	// The Dir's directory was gone when openSetUp failed: whatever stands at
	// its path by remakeDir's time is another, even with the same inode number
	// (the number of a removed directory is free again).
	dirfd, st, err := d.openSetUp()
	remade := err != nil
	if remade {
		if dirfd, st, err = d.remakeDir(); err != nil {
			return nil, fmt.Errorf("create status directory: %w", err)
		}
		recreated = append(recreated, dirName)
	}
	defer unix.Close(dirfd)
	lockGone := d.replaced(dirfd, d.lock, lockName)
	controlGone := d.replaced(dirfd, d.control, controlName)
	okGone := d.replaced(dirfd, d.ok, okName)
	statusBlocked := statusIsDirectory(dirfd)
	if recreated == nil && !lockGone && !controlGone && !okGone && !statusBlocked {
		return nil, nil
	}

	// The lock comes first, as in Open: only its holder may touch the FIFOs.
	if lockGone {
		f, err := takeLock(dirfd, d.path)
		var locked *LockedError
		if errors.As(err, &locked) {
			d.adopt(idOf(&st), true) // theirs now, until a Repair takes the lock
		}
		if err != nil {
			return recreated, err
		}
		old := d.lock
		d.lock = f
		flock(old, unix.LOCK_UN)
		old.Close()
		recreated = append(recreated, lockName)
	}
	if remade || lockGone {
		d.adopt(idOf(&st), false)
	}
	if controlGone {
		f, err := d.reopenFIFO(dirfd, controlName, os.O_RDWR)
		if err != nil {
			return recreated, err
		}
		carryUnread(d.control, f)
		old := d.control
		d.control = f
		old.Close()
		recreated = append(recreated, controlName)
	}
	if okGone {
		f, err := d.reopenFIFO(dirfd, okName, os.O_RDONLY)
		if err != nil {
			return recreated, err
		}
		old := d.ok
		d.ok = f
		old.Close()
		recreated = append(recreated, okName)
	}
	if statusBlocked {
		if err := d.clearStatus(dirfd); err != nil {
			return recreated, err
		}
		recreated = append(recreated, statusName)
	}
	return recreated, nil
}

// adopt makes the directory id the one the Dir uses, and lost whether
// another process holds its lock. The caller holds closeMu.
func (d *Dir) adopt(id fileID, lost bool) {
	d.fdMu.Lock()
	defer d.fdMu.Unlock()
	d.id, d.lost = id, lost
}

// remakeDir makes the directory again where openSetUp found none of the
// Dir's, as Open makes it, status_dir first if that went too, and opens it.
// The caller holds closeMu.
func (d *Dir) remakeDir() (int, unix.Stat_t, error) {
	if err := d.shared.reopen(); err != nil {
		return -1, unix.Stat_t{}, err
	}
	fd, st, _, err := d.shared.openModuleDir(d.name, d.Mode(), true)
	return fd, st, err
}

// replaced reports whether name in the directory dirfd is missing or is another file than f.
func (d *Dir) replaced(dirfd int, f *os.File, name string) bool {
	var onDisk unix.Stat_t
	if unix.Fstatat(dirfd, name, &onDisk, unix.AT_SYMLINK_NOFOLLOW) != nil {
		return true
	}
	held, err := f.Stat() // fstat: does not call Fd, so f stays non-blocking
	if err != nil {
		return true
	}
	sys, ok := held.Sys().(*syscall.Stat_t)
	return !ok || uint64(sys.Dev) != uint64(onDisk.Dev) || sys.Ino != onDisk.Ino
}

// reopenFIFO makes name in the directory dirfd a FIFO again, removing whatever non-FIFO
// stands there, and opens it as Open does (openFIFO, which refuses a non-FIFO).
func (d *Dir) reopenFIFO(dirfd int, name string, flag int) (*os.File, error) {
	var st unix.Stat_t
	if unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT != unix.S_IFIFO {
		if err := removeAt(dirfd, d.path, name); err != nil {
			return nil, fmt.Errorf("%s is not a FIFO and cannot be removed: %w", filepath.Join(d.path, name), err)
		}
	}
	if err := ensureFIFO(dirfd, d.path, name); err != nil {
		return nil, err
	}
	f, err := openFIFO(dirfd, d.path, name, flag)
	if err != nil {
		// Something may have replaced the FIFO between ensureFIFO and the open.
		return nil, fmt.Errorf("%s was replaced by something else than a FIFO while being recreated: %w", filepath.Join(d.path, name), err)
	}
	return f, nil
}

// carryUnread moves the bytes buffered in the old control FIFO into the new one,
// without blocking: it reads and writes the raw non-blocking descriptors through
// Control until EAGAIN. The caller holds closeMu, so no TryReadControl reads
// the old FIFO meanwhile.
func carryUnread(from, to *os.File) {
	var buf []byte
	if rc, err := from.SyscallConn(); err == nil {
		chunk := make([]byte, 4096)
		for len(buf) < maxCarried {
			n, rerr, err := fdwatch.ReadNow(rc, chunk)
			if err != nil || rerr != nil || n <= 0 {
				break
			}
			buf = append(buf, chunk[:n]...)
		}
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
// should be in the directory dirfd.
func statusIsDirectory(dirfd int) bool {
	var st unix.Stat_t
	return unix.Fstatat(dirfd, statusName, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR
}

// clearStatus makes way for the status file where a directory stands: an empty
// directory is removed; one with files in it is renamed to
// status.aside.2006-01-02T15-04-05.000 in the same directory, for its owner to
// look at. The next WriteStatus then puts the file back. The caller holds
// closeMu and statusMu.
func (d *Dir) clearStatus(dirfd int) error {
	err := unix.Unlinkat(dirfd, statusName, unix.AT_REMOVEDIR)
	if err == nil || err == unix.ENOENT {
		return nil
	}
	aside := logfiles.RotatedNameIn(func(n string) bool { return existsAt(dirfd, n) }, statusName+".aside", time.Now())
	if err := renameAt(dirfd, d.path, statusName, aside); err != nil {
		return fmt.Errorf("a directory stands in place of %s and cannot be moved away: %w", filepath.Join(d.path, statusName), err)
	}
	return nil
}
