package statusfs

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Released is a status directory whose supervisor let go of it (the legacy `x`)
// and keeps only its control FIFO open for reading, so that a later command can
// ask for the module to be supervised again. It holds neither the lock (another
// supervisor may take the directory) nor ok ([Supervised] answers false), and it
// reads the FIFO only once it holds the lock again ([Released.Reclaim]): a byte
// meant for another supervisor of the directory is never consumed.
//
// A Released is owned by one goroutine at a time.
type Released struct {
	path       string
	root, name string
	opts       Options
	control    *os.File // O_RDWR|O_NONBLOCK, a duplicate of the Dir's; nil once reclaimed
}

// Release ends the hold on the directory as Close does (control, ok, then the
// lock) but first duplicates the control FIFO's descriptor, which it returns as
// a Released: writers never find the FIFO without a reader, and
// [Listening] tells that a released module can still be taken back. The Dir is
// closed as by Close.
func (d *Dir) Release() (*Released, error) {
	d.closeMu.Lock()
	defer d.closeMu.Unlock()
	if d.closed.Load() {
		return nil, fmt.Errorf("release status directory %s: %w", d.path, os.ErrClosed)
	}
	rc, err := d.control.SyscallConn()
	if err != nil {
		return nil, err
	}
	dup, derr := -1, error(nil)
	if err := rc.Control(func(fd uintptr) { dup, derr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, &os.PathError{Op: "dup", Path: d.control.Name(), Err: derr}
	}
	d.fdMu.RLock()
	opts := d.opts
	d.fdMu.RUnlock()
	control, err := unpolledFile(dup, d.control.Name(), true)
	if err != nil {
		return nil, err
	}
	r := &Released{path: d.path, root: d.root, name: d.name, opts: opts, control: control}
	d.closed.Store(true)
	return r, d.release()
}

// Path returns the status directory's path.
func (r *Released) Path() string { return r.path }

// ControlFD is the descriptor of the control FIFO, for registering with a
// poller; valid until Close or a Reclaim that returns a Dir.
func (r *Released) ControlFD() (int, error) {
	if r.control == nil {
		return 0, fmt.Errorf("control of %s: %w", r.path, os.ErrClosed)
	}
	rc, err := r.control.SyscallConn()
	if err != nil {
		return 0, err
	}
	var fd int
	err = rc.Control(func(u uintptr) { fd = int(u) })
	return fd, err
}

// Reclaim takes the lock of the directory again (a *LockedError when another
// supervisor holds it now) and then reads the command bytes waiting in the
// control FIFO into p. When wanted(p[:n]) is true, it opens ok again and returns
// the directory held as [Open] returns it, with this control FIFO (the
// Released is then used up), and repairs what was deleted or replaced in the
// meantime, as [Dir.Repair] does. Otherwise it lets go of the lock, returns a
// nil Dir, and the Released stays as it was. The bytes read are the caller's
// in both cases.
func (r *Released) Reclaim(p []byte, wanted func([]byte) bool) (*Dir, int, error) {
	if r.control == nil {
		return nil, 0, fmt.Errorf("reclaim %s: %w", r.path, os.ErrClosed)
	}
	d := &Dir{path: r.path, root: r.root, name: r.name, opts: r.opts, control: r.control}
	n, err := d.retake(p, wanted)
	if err != nil || d.ok == nil {
		d.letGo()
		return nil, n, err
	}
	r.control = nil
	if _, err := d.Repair(); err != nil {
		d.Close()
		return nil, n, err
	}
	return d, n, nil
}

// retake is the work of Reclaim up to the Repair, as one directory operation:
// it takes the lock of the directory, reads control into p, and when wanted
// opens ok. d.ok is left nil when the bytes were not wanted.
func (d *Dir) retake(p []byte, wanted func([]byte) bool) (n int, err error) {
	defer beginDirOp()()
	if d.shared, err = shareRoot(d.root); err != nil {
		return 0, err
	}
	dirfd, st, _, err := d.shared.openModuleDir(d.name, d.opts.dirMode(), true)
	if err != nil {
		return 0, err
	}
	defer unix.Close(dirfd)
	d.id = idOf(&st)
	if d.lock, err = takeLock(dirfd, d.path); err != nil {
		return 0, err
	}
	if n, err = d.TryReadControl(p); err != nil || !wanted(p[:n]) {
		return n, err
	}
	if err = ensureFIFO(dirfd, d.path, okName); err != nil {
		return n, err
	}
	d.ok, err = openFIFO(dirfd, d.path, okName, os.O_RDONLY)
	return n, err
}

// letGo undoes what retake took, but the control FIFO, which stays the
// Released's.
func (d *Dir) letGo() {
	if d.ok != nil {
		d.ok.Close()
	}
	if d.lock != nil {
		_ = flock(d.lock, unix.LOCK_UN)
		d.lock.Close()
	}
	if d.shared != nil {
		d.shared.release()
	}
}

// Close closes the control FIFO: the module can no longer be taken back.
func (r *Released) Close() error {
	if r.control == nil {
		return nil
	}
	err := r.control.Close()
	r.control = nil
	return err
}

// Listening reports whether some process holds dir/control open for reading.
// Without [Supervised], that is a svman that released the module and can take it
// back: writing `u` or `o` to control asks it to.
func Listening(dir string) bool {
	fd, err := openFIFOWrite(filepath.Join(dir, controlName))
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
}
