package statusfs

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// RootLockName is the file in status_dir that svman up holds locked for as
// long as it runs, so that commands find it (RootHolder) even when it
// supervises no module: every block scaled to 0 instances. A module name
// cannot start with ".", so it is never a module's directory; the legacy
// tools do not look at it.
const RootLockName = ".svman.lock"

// ErrRootHeld is HoldRoot's error when another process holds the lock.
var ErrRootHeld = errors.New("another process holds " + RootLockName)

// HoldRoot takes the lock on status_dir root's RootLockName, creating root
// (as the first module's directory would) and the file first. The lock is
// held until the returned file is closed. A root others may write into is
// refused, as for the modules' directories.
func HoldRoot(root string) (*os.File, error) {
	rootfd, err := openRoot(root, true)
	if err != nil {
		return nil, err
	}
	defer unix.Close(rootfd)
	fd, err := openRegularAt(rootfd, root, RootLockName, unix.O_RDWR|unix.O_CREAT, fileMode)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), filepath.Join(root, RootLockName))
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if err == unix.EWOULDBLOCK {
			return nil, ErrRootHeld
		}
		return nil, &os.PathError{Op: "flock", Path: f.Name(), Err: err}
	}
	return f, nil
}

// RootHolder returns the pid of the process holding status_dir root's
// RootLockName, as LockHolder does for a module's lock.
func RootHolder(root string) (pid int, ok bool) {
	return holderOf(filepath.Join(root, RootLockName))
}
