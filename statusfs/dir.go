package statusfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

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

// Restored reports whether name is a file of a status directory that its
// supervisor recreates when it is deleted: those of the legacy contract
// (Repair), and state.json, written again with what svman knows, so that
// `svman status` never reads a module as plainly down for want of it.
func Restored(name string) bool {
	switch name {
	case lockName, controlName, okName, statusName, stateName:
		return true
	}
	return false
}

// Dir is a status directory held by one supervisor for as long as it supervises the
// module: it holds the flock on lock, the control FIFO (for reading and writing) and
// the ok FIFO (for reading), and no descriptor of the directory itself (see
// useDir). Its methods may be called from several goroutines.
type Dir struct {
	path       string
	root, name string // path is root/name
	opts       Options
	fixedMode  uint32 // the mode Open found too open and changed; 0 if none

	// fdMu guards shared, id and lost, through which every file of the
	// directory is reached: users hold it for reading while they use the
	// directory; Repair (which may put a new directory in place) and Close hold
	// it for writing. It is always taken last, after any other mutex of the Dir
	// and after a directory operation's turn (beginDirOp).
	fdMu   sync.RWMutex
	shared *sharedRoot // status_dir's descriptor; nil once closed
	id     fileID      // the directory Open or Repair set up: the only one used
	lost   bool        // Repair found another process holding the directory's lock: not used until Repair takes it

	// closeMu guards closed and the three descriptors, which Repair may replace after
	// Open. TryReadControl holds it for one read that never waits; Repair holds
	// it while it rebuilds the directory, so a control read waits for that.
	closeMu sync.Mutex
	closed  atomic.Bool // set under closeMu; read without it by isClosed
	lock    *os.File    // flock'ed LOCK_EX while the Dir is open
	control *os.File    // O_RDWR|O_NONBLOCK, out of the runtime poller (unpolledFile); never call Fd() on it
	ok      *os.File    // O_RDONLY|O_NONBLOCK, only held so that clients can open it for writing

	statusMu sync.Mutex // serializes the replacement of status, module.json and state.json (shared temporary names)
	written  written    // what status and state.json hold (Written): set by their writers with statusMu held, forgotten by Repair
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

// Open is OpenWith with the default options: everything readable by svman's user only.
func Open(path string) (*Dir, error) { return OpenWith(path, Options{}) }

// OpenWith takes hold of the status directory path (status_dir/NAME) for one supervisor:
//
//   - it refuses a status_dir writable by others, or owned by another user than
//     svman's or root (see openRoot);
//   - it creates the directory relative to a descriptor of status_dir (mkdirat),
//     opens it without following a link (a link there is refused), and refuses it if
//     it is owned by another user than the effective uid, or writable by group or
//     others, since anyone who can write there can stop the module. A directory more
//     open than o allows (0755) is set to 0700 (or 0750) and a NOTICE says so once;
//   - every file below is reached through a descriptor of the directory, never
//     by path: one opened for each use relative to status_dir's (which all the
//     Dirs of a status_dir share), with the checks above, and refused unless it
//     is the directory Open set up (see useDir);
//   - it creates lock (0600) and flocks it LOCK_EX|LOCK_NB, returning a *LockedError if
//     another process holds it (`fuser lock` names the holder, as with supervise);
//   - it creates the FIFOs control and ok (0600) if missing (existing ones must pass the
//     same owner and mode checks as the directory) and opens them: ok for
//     reading, so that [Supervised] answers true, and control for reading and writing,
//     so that [Dir.TryReadControl] never sees end of file.
//
// All descriptors are close-on-exec, so children never hold the lock or the FIFOs.
// On error nothing stays open or locked.
func OpenWith(path string, o Options) (_ *Dir, err error) {
	path = filepath.Clean(path)
	d := &Dir{path: path, root: filepath.Dir(path), name: filepath.Base(path), opts: o}
	defer func() {
		if err != nil {
			d.release()
		}
	}()
	if err := d.setUp(); err != nil {
		return nil, err
	}
	if d.fixedMode != 0 {
		d.Notice("status directory %s was mode %#o, readable by others: svman set it to %#o", path, d.fixedMode, o.dirMode())
	}
	return d, nil
}

// setUp does the work of OpenWith (but its NOTICE) as one directory
// operation; on error, the caller releases what it took.
func (d *Dir) setUp() (err error) {
	defer beginDirOp()()
	if d.shared, err = shareRoot(d.root); err != nil {
		return err
	}
	dirfd, st, fixed, err := d.shared.openModuleDir(d.name, d.opts.dirMode(), true)
	if err != nil {
		return err
	}
	defer unix.Close(dirfd)
	d.id, d.fixedMode = idOf(&st), fixed

	// The lock comes first: only its holder may touch the FIFOs and status.
	if d.lock, err = takeLock(dirfd, d.path); err != nil {
		return err
	}
	if err = ensureFIFO(dirfd, d.path, controlName); err != nil {
		return err
	}
	if err = ensureFIFO(dirfd, d.path, okName); err != nil {
		return err
	}
	if d.ok, err = openFIFO(dirfd, d.path, okName, os.O_RDONLY); err != nil {
		return err
	}
	d.control, err = openFIFO(dirfd, d.path, controlName, os.O_RDWR)
	return err
}

// FixedMode returns the mode the directory had when Open found it more open than
// it should be and changed it, or 0: for the caller to say so once, beside the
// NOTICE Open wrote.
func (d *Dir) FixedMode() uint32 { return d.fixedMode }

// takeLock creates lock (0600) in the directory dirfd (whose path is dir) if
// missing, opens it and flocks it LOCK_EX|LOCK_NB. It returns a *LockedError if
// another process (or another open of the file) holds it.
func takeLock(dirfd int, dir string) (*os.File, error) {
	fd, err := openAt(dirfd, lockName, unix.O_RDWR|unix.O_CREAT, fileMode)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: filepath.Join(dir, lockName), Err: err}
	}
	f := os.NewFile(uintptr(fd), filepath.Join(dir, lockName))
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
// answering before another supervisor can take the directory. Then TryReadControl,
// ControlFD, Repair and a second Close return an error wrapping os.ErrClosed.
func (d *Dir) Close() error {
	d.closeMu.Lock()
	defer d.closeMu.Unlock()
	if d.closed.Load() {
		return fmt.Errorf("status directory %s: %w", d.path, os.ErrClosed)
	}
	d.closed.Store(true)
	return d.release()
}

func (d *Dir) isClosed() bool {
	// No closeMu: writers of the status files call it holding statusMu, which
	// Repair takes holding closeMu.
	return d.closed.Load()
}

// release closes whatever is open, in the order Close documents.
func (d *Dir) release() error {
	var errs []error
	for _, f := range []*os.File{d.control, d.ok} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	d.fdMu.Lock()
	if d.shared != nil {
		d.shared.release()
		d.shared = nil
	}
	d.fdMu.Unlock()
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
