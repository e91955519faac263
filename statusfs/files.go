package statusfs

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// The methods below give other packages (logmux's module logs) the files of a
// held status directory by name, through the directory's descriptor, never
// following a link: the same guarantees as the directory's own files.

// OpenFile opens name (one path component) in the directory as os.OpenFile
// would, but relative to the directory's descriptor and refusing a link; a file
// it creates gets perm.
func (d *Dir) OpenFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	var f *os.File
	err := d.useDir(func(dirfd int) error {
		fd, err := openRegularAt(dirfd, d.path, name, flag, uint32(perm.Perm()))
		if err != nil {
			return err
		}
		f = os.NewFile(uintptr(fd), filepath.Join(d.path, name))
		return nil
	})
	return f, err
}

// Rename renames oldname to newname, both in the directory.
func (d *Dir) Rename(oldname, newname string) error {
	return d.useDir(func(dirfd int) error { return renameAt(dirfd, d.path, oldname, newname) })
}

func renameAt(dirfd int, dir, oldname, newname string) error {
	if err := unix.Renameat(dirfd, oldname, dirfd, newname); err != nil {
		return &os.LinkError{Op: "rename", Old: filepath.Join(dir, oldname), New: filepath.Join(dir, newname), Err: err}
	}
	return nil
}

// Remove removes name (a file, or a link itself, never what it points to).
func (d *Dir) Remove(name string) error {
	return d.useDir(func(dirfd int) error { return removeAt(dirfd, d.path, name) })
}

// Exists reports whether something (a link included) is named name in the directory.
func (d *Dir) Exists(name string) bool {
	ok := false
	_ = d.useDir(func(dirfd int) error { ok = existsAt(dirfd, name); return nil })
	return ok
}

// Names returns the names of the directory's entries, in no particular order.
func (d *Dir) Names() ([]string, error) {
	var names []string
	err := d.useDir(func(dirfd int) (err error) { names, err = namesAt(dirfd, d.path); return err })
	return names, err
}

func removeAt(dirfd int, dir, name string) error {
	if err := unix.Unlinkat(dirfd, name, 0); err != nil {
		return &os.PathError{Op: "remove", Path: filepath.Join(dir, name), Err: err}
	}
	return nil
}

func existsAt(dirfd int, name string) bool {
	var st unix.Stat_t
	return unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil
}

// namesAt lists the directory dirfd through a descriptor of its own (a duplicate
// would share, and move, dirfd's offset).
func namesAt(dirfd int, dir string) ([]string, error) {
	fd, err := openAt(dirfd, ".", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	f := os.NewFile(uintptr(fd), dir)
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return names, err
	}
	return names, nil
}
