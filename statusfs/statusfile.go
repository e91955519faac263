package statusfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ReadStatus reads and decodes dir/status. It needs no supervisor and no lock: the
// supervisor replaces the file by rename, so a read sees one whole version (but
// for a read made during the one pwrite of a rewrite in place: the last status
// of a supervision, or the status on a full file system; see inplace.go). Like
// ReadState and ReadApplied it never blocks: anything but a regular file there
// (a FIFO, a directory) is an error.
func ReadStatus(dir string) (Status, error) {
	p := filepath.Join(dir, statusName)
	b, err := readRegular(p)
	if err != nil {
		return Status{}, err
	}
	s, err := Decode(b)
	if err != nil {
		return Status{}, fmt.Errorf("%s: %w", p, err)
	}
	return s, nil
}

// WriteStatus writes s to status.new (mode 0644), fsyncs it and renames it over
// status, so that a reader never sees a short or mixed file, even after a crash.
//
// When that fails (status.new cannot be written on a full file system), it rewrites
// the existing status file in place (overwriteStatus), which needs no new block,
// and returns an error wrapping ErrWrittenInPlace: the file is right, and the
// caller writes it again later to get back to the atomic form. Any other error
// means the status file may still hold an older version.
//
// It fails with an error wrapping os.ErrClosed after Close: the directory may
// belong to another supervisor by then.
func (d *Dir) WriteStatus(s Status) error {
	b := s.Encode()
	d.statusMu.Lock()
	defer d.statusMu.Unlock()
	err := d.writeStatusLocked(b[:])
	d.written.wroteStatus(s, err)
	return err
}

// writeStatusLocked is WriteStatus of the encoded b, with statusMu held.
func (d *Dir) writeStatusLocked(b []byte) error {
	err := d.replaceLocked(statusName, statusNewName, b, true)
	if err == nil || errors.Is(err, os.ErrClosed) {
		return err
	}
	if ierr := d.overwriteStatus(b); ierr != nil {
		return fmt.Errorf("%w; %w", err, ierr)
	}
	return fmt.Errorf("%w (%w)", err, ErrWrittenInPlace)
}

// replaceOrRemove writes b to tmpName and renames it over name, not fsync'd.
// When that fails, it removes name (an unlink needs no space), so that a
// reader finds no file rather than an old version that is no longer true; the
// error then says so.
func (d *Dir) replaceOrRemove(name, tmpName string, b []byte) error {
	d.statusMu.Lock()
	defer d.statusMu.Unlock()
	return d.replaceOrRemoveLocked(name, tmpName, b)
}

// replaceOrRemoveLocked is replaceOrRemove with statusMu held.
func (d *Dir) replaceOrRemoveLocked(name, tmpName string, b []byte) error {
	err := d.replaceLocked(name, tmpName, b, false)
	if err == nil || errors.Is(err, os.ErrClosed) {
		return err
	}
	rerr := d.useDir(func(dirfd int) error { return unix.Unlinkat(dirfd, name, 0) })
	if rerr == nil {
		return fmt.Errorf("%w; the old %s was removed", err, name)
	}
	return err
}

// replaceLocked writes b to tmpName (mode 0600), fsyncs it if sync, and renames
// it over name, all relative to the directory's descriptor, with statusMu held (the
// temporary names are shared). On error no temporary file is left behind. The calls
// are made directly (rawfile.go).
func (d *Dir) replaceLocked(name, tmpName string, b []byte, sync bool) error {
	if d.isClosed() {
		return fmt.Errorf("write %s in %s: %w", name, d.path, os.ErrClosed)
	}
	return d.useDir(func(dirfd int) error {
		tmp := filepath.Join(d.path, tmpName)
		fd, err := openRegularAt(dirfd, d.path, tmpName, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC, fileMode)
		if err != nil {
			return err
		}
		err = writeAll(fd, b)
		if err == nil && sync {
			err = unix.Fsync(fd)
		}
		if cerr := unix.Close(fd); err == nil {
			err = cerr
		}
		if err != nil {
			unix.Unlinkat(dirfd, tmpName, 0)
			return fmt.Errorf("write %s: %w", tmp, err)
		}
		if err := unix.Renameat(dirfd, tmpName, dirfd, name); err != nil {
			unix.Unlinkat(dirfd, tmpName, 0)
			return &os.LinkError{Op: "rename", Old: tmp, New: filepath.Join(d.path, name), Err: err}
		}
		return nil
	})
}
