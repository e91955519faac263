package logfiles

import (
	"os"
	"path/filepath"
	"syscall"
)

// Dir is the directory a File lives in. svman passes the module's status
// directory (statusfs.Dir), which reaches its files through a descriptor and
// never follows a link; NewFile and OpenFile, given a path, use the directory
// by path (pathDir). Names are single path components.
type Dir interface {
	Path() string // for messages
	OpenFile(name string, flag int, perm os.FileMode) (*os.File, error)
	Rename(oldname, newname string) error
	Remove(name string) error
	Exists(name string) bool
	Names() ([]string, error)
}

// pathDir is a Dir reached by its path. It still refuses a link in place of a
// file (O_NOFOLLOW).
type pathDir string

func (d pathDir) Path() string { return string(d) }

func (d pathDir) OpenFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	return os.OpenFile(d.join(name), flag|syscall.O_NOFOLLOW, perm)
}

func (d pathDir) Rename(oldname, newname string) error {
	return os.Rename(d.join(oldname), d.join(newname))
}

func (d pathDir) Remove(name string) error { return os.Remove(d.join(name)) }

func (d pathDir) Exists(name string) bool {
	_, err := os.Lstat(d.join(name))
	return err == nil
}

func (d pathDir) Names() ([]string, error) {
	f, err := os.Open(string(d))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

func (d pathDir) join(name string) string { return filepath.Join(string(d), name) }
