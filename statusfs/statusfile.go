package statusfs

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ReadStatus reads and decodes dir/status. It needs no supervisor and no lock: the
// supervisor replaces the file by rename, so a read sees one whole version.
func ReadStatus(dir string) (Status, error) {
	p := filepath.Join(dir, statusName)
	b, err := os.ReadFile(p)
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
// status, so that a reader never sees a short or mixed file, even after a crash. It
// fails with an error wrapping os.ErrClosed after Close: the directory may belong to
// another supervisor by then.
func (d *Dir) WriteStatus(s Status) error {
	b := s.Encode()
	return d.replaceFile(statusName, statusNewName, b[:])
}

// WriteApplied records the module settings the supervisor applies now (svman
// writes them as JSON), the same way as the status file. `svman diff` compares
// them with the manifest on disk without asking the running svman anything.
func (d *Dir) WriteApplied(b []byte) error {
	return d.replaceFile(appliedName, appliedNewName, b)
}

// ReadApplied returns what WriteApplied last wrote in dir.
func ReadApplied(dir string) ([]byte, error) {
	return os.ReadFile(filepath.Join(dir, appliedName))
}

// WriteState records what svman alone knows of the module (backoff, failed), for
// `svman status`. It is advisory, rewritten on every change of state, and not
// fsync'd: after a crash of the machine nobody supervises the module anyway.
func (d *Dir) WriteState(b []byte) error {
	return d.replaceFileSync(stateName, stateNewName, b, false)
}

// ReadState returns what WriteState last wrote in dir.
func ReadState(dir string) ([]byte, error) {
	return os.ReadFile(filepath.Join(dir, stateName))
}

// replaceFile writes b to tmpName, fsyncs it and renames it over name.
func (d *Dir) replaceFile(name, tmpName string, b []byte) error {
	return d.replaceFileSync(name, tmpName, b, true)
}

// replaceFileSync writes b to tmpName, fsyncs it if sync, and renames it over name.
// The calls are made directly (rawfile.go).
func (d *Dir) replaceFileSync(name, tmpName string, b []byte, sync bool) error {
	d.statusMu.Lock()
	defer d.statusMu.Unlock()
	if d.isClosed() {
		return fmt.Errorf("write %s in %s: %w", name, d.path, os.ErrClosed)
	}
	tmp := filepath.Join(d.path, tmpName)
	fd, err := openRegular(tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC)
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
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	return os.Rename(tmp, filepath.Join(d.path, name))
}
