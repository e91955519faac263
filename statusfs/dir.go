package statusfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
)

// Names of the files in a status directory.
const (
	lockName      = "lock"
	controlName   = "control"
	okName        = "ok"
	statusName    = "status"
	statusNewName = "status.new"
	// appliedName holds the settings in force, for `svman diff`: not part of the
	// legacy contract, which ignores files it does not know.
	appliedName    = "module.json"
	appliedNewName = "module.json.new"
	// stateName holds what the status file cannot say (backoff, failed).
	stateName    = "state.json"
	stateNewName = "state.json.new"
	logName      = "supervise.log"
	logWFName    = "supervise.log.wf"
)

// Dir is a status directory held by one supervisor for as long as it supervises the
// module: it holds the flock on lock, the control FIFO (for reading and writing) and
// the ok FIFO (for reading). Its methods may be called from several goroutines.
type Dir struct {
	path string

	// closeMu guards closed and the three descriptors, which Repair may replace after
	// Open; it is held only for short, non-blocking work, never across a read.
	closeMu sync.Mutex
	closed  bool
	lock    *os.File // flock'ed LOCK_EX while the Dir is open
	control *os.File // O_RDWR|O_NONBLOCK, in the runtime poller; never call Fd() on it
	ok      *os.File // O_RDONLY|O_NONBLOCK, only held so that clients can open it for writing

	statusMu sync.Mutex // serializes the replacement of status, module.json and state.json (shared temporary names)
	logMu    sync.Mutex // serializes the size check and write of log lines
}

// LockedError is returned by Open when another process holds the lock of the directory.
type LockedError struct {
	Dir string
	PID int // 0 when the holder could not be found in /proc/locks
}

func (e *LockedError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = fmt.Sprintf("pid %d", e.PID)
	}
	return fmt.Sprintf("status directory %s is in use by %s (another svman or supervise supervises this module); stop it first or use another status_dir", e.Dir, who)
}

// Open takes hold of the status directory path for one supervisor:
//
//   - it creates the directory (and its parents) with mode 0700 if missing;
//   - it refuses a directory owned by another user than the effective uid, or writable
//     by group or others, since anyone who can write there can stop the module;
//   - it creates lock (0644) and flocks it LOCK_EX|LOCK_NB, returning a *LockedError if
//     another process holds it (`fuser lock` names the holder, as with supervise);
//   - it creates the FIFOs control and ok (0600) if missing (existing ones must pass the
//     same owner and mode checks as the directory) and opens them: ok for
//     reading, so that [Supervised] answers true, and control for reading and writing,
//     so that [Dir.ReadControl] never sees end of file.
//
// All descriptors are close-on-exec, so children never hold the lock or the FIFOs.
// On error nothing stays open or locked.
func Open(path string) (_ *Dir, err error) {
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("create status directory: %w", err)
	}
	if err := checkOwned(path, "status directory", "chmod go-w"); err != nil {
		return nil, err
	}
	d := &Dir{path: path}
	defer func() {
		if err != nil {
			d.release()
		}
	}()

	// The lock comes first: only its holder may touch the FIFOs and status.
	if d.lock, err = takeLock(path); err != nil {
		return nil, err
	}

	if err = ensureFIFO(filepath.Join(path, controlName)); err != nil {
		return nil, err
	}
	if err = ensureFIFO(filepath.Join(path, okName)); err != nil {
		return nil, err
	}
	if d.ok, err = openFIFO(filepath.Join(path, okName), os.O_RDONLY); err != nil {
		return nil, err
	}
	if d.control, err = openFIFO(filepath.Join(path, controlName), os.O_RDWR); err != nil {
		return nil, err
	}
	return d, nil
}

// takeLock creates dir/lock (0644) if missing, opens it and flocks it LOCK_EX|LOCK_NB.
// It returns a *LockedError if another process (or another open of the file) holds it.
func takeLock(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := flock(f, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			pid, _ := LockHolder(dir)
			return nil, &LockedError{Dir: dir, PID: pid}
		}
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return f, nil
}

// Path returns the directory path given to Open.
func (d *Dir) Path() string { return d.path }

// Close closes control and ok, then releases the lock, in that order, so that ok stops
// answering before another supervisor can take the directory. A blocked ReadControl
// returns an error wrapping os.ErrClosed. Closing twice returns an error wrapping
// os.ErrClosed.
func (d *Dir) Close() error {
	d.closeMu.Lock()
	defer d.closeMu.Unlock()
	if d.closed {
		return fmt.Errorf("status directory %s: %w", d.path, os.ErrClosed)
	}
	d.closed = true
	return d.release()
}

func (d *Dir) isClosed() bool {
	d.closeMu.Lock()
	defer d.closeMu.Unlock()
	return d.closed
}

// release closes whatever is open, in the order Close documents.
func (d *Dir) release() error {
	var errs []error
	for _, f := range []*os.File{d.control, d.ok} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	if d.lock != nil {
		// Unlock explicitly rather than rely on close: a child forked but not yet
		// exec'ed shares the open file description, and close alone would leave the
		// lock held until that child execs.
		errs = append(errs, flock(d.lock, unix.LOCK_UN), d.lock.Close())
	}
	return errors.Join(errs...)
}

// flock applies how to f without calling f.Fd(), which would switch f to blocking mode.
func flock(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		for {
			ferr = unix.Flock(int(fd), how)
			if ferr != unix.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	return ferr
}

// checkOwned refuses path if it is owned by another user than the effective uid or
// writable by group or others: whoever can write into the status directory (or into
// its FIFOs) can send `d` to the module.
func checkOwned(path, what, fix string) error {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if euid := os.Geteuid(); int(st.Uid) != euid {
		return fmt.Errorf("%s %s is owned by uid %d, not by the supervising user (uid %d): its owner could control the module; chown it to uid %d or use another status_dir", what, path, st.Uid, euid, euid)
	}
	if perm := st.Mode & 0o7777; perm&0o022 != 0 {
		return fmt.Errorf("%s %s is writable by group or others (mode %#o): anyone could send commands to the module; fix it with `%s %s` or use another status_dir", what, path, perm, fix, path)
	}
	return nil
}
