package statusfs

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// useDir calls fn with a descriptor of the directory, opened for fn alone
// (openHeld) and closed after it, as one directory operation (beginDirOp). fdMu
// is held for reading meanwhile, so that Repair and Close wait for fn. After
// Close (the engine logs its last lines then), the directory is opened with the
// checks of Open, as it stands, and nothing is created.
func (d *Dir) useDir(fn func(dirfd int) error) error {
	defer beginDirOp()()
	d.fdMu.RLock()
	if d.shared != nil {
		defer d.fdMu.RUnlock()
		fd, err := d.openHeld()
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		return fn(fd)
	}
	mode := d.opts.dirMode()
	d.fdMu.RUnlock()
	fd, _, err := openModuleDir(d.root, d.name, mode, false)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return fn(fd)
}

// errReplaced is what a use of a held directory meets when another directory
// stands at its path: the Dir's was removed or moved away since Open or Repair.
var errReplaced = errors.New("is not the directory svman set up (it was removed or moved, and another put in its place): svman repairs it")

// openHeld opens the directory relative to status_dir's shared descriptor, with
// the checks of Open (no link, svman's user's, not writable by others), and
// refuses it, with an error wrapping errReplaced, unless it is the directory
// the Dir set up; and while another process holds its lock (lost), with an
// error wrapping errLost. The caller holds fdMu, and closes the descriptor.
func (d *Dir) openHeld() (int, error) {
	if d.lost {
		return -1, fmt.Errorf("status directory %s %w", d.path, errLost)
	}
	fd, _, err := d.openSetUp()
	return fd, err
}

// errLost is what a use of a held directory meets once Repair found another
// process holding the lock it made again.
var errLost = errors.New("is locked by another process since its lock was deleted: svman writes nothing there until it holds the lock again")

// openSetUp is openHeld, lost or not. The caller holds fdMu or closeMu.
func (d *Dir) openSetUp() (int, unix.Stat_t, error) {
	fd, st, err := d.shared.openDir(d.name)
	if err != nil {
		return -1, st, err
	}
	if idOf(&st) != d.id {
		unix.Close(fd)
		return -1, st, fmt.Errorf("status directory %s %w", d.path, errReplaced)
	}
	return fd, st, nil
}
