package statusfs

import (
	"sync"

	"golang.org/x/sys/unix"
)

// sharedRoot is the descriptor of one status_dir, opened and checked by
// openRoot, that every Dir under it holds: their directories are opened
// relative to it at each use, so that however many modules svman supervises,
// status_dir costs it one descriptor.
type sharedRoot struct {
	path string
	refs int // the Dirs that hold it; guarded by roots.mu

	// mu is held for reading while fd is used, and for writing to replace or
	// close it.
	mu sync.RWMutex
	fd int // -1 once the last Dir let go of it
}

// roots are the shared status_dirs of the process, by path. Mutex order:
// roots.mu before a sharedRoot's mu.
var roots = struct {
	mu     sync.Mutex
	byPath map[string]*sharedRoot
}{byPath: make(map[string]*sharedRoot)}

// shareRoot opens status_dir root as openRoot does (creating it if missing,
// refusing it if others may write into it or it is not svman's user's or
// root's) and returns the process's shared descriptor of it, which the caller
// holds until it calls release. When root's path leads to another directory than
// the shared descriptor (status_dir was removed and made again, or moved away),
// the shared descriptor becomes the one the path leads to now, for every Dir
// under it: their next uses find their directories gone, and Repair makes them
// again there.
func shareRoot(root string) (*sharedRoot, error) {
	fd, err := openRoot(root, true)
	if err != nil {
		return nil, err
	}
	roots.mu.Lock()
	defer roots.mu.Unlock()
	r := roots.byPath[root]
	if r == nil {
		r = &sharedRoot{path: root, fd: fd}
		roots.byPath[root] = r
	} else {
		r.adopt(fd)
	}
	r.refs++
	return r, nil
}

// reopen opens the root's path again, as shareRoot does, and adopts it: what
// Repair does before it makes a directory found missing, since status_dir may
// be what went.
func (r *sharedRoot) reopen() error {
	fd, err := openRoot(r.path, true)
	if err != nil {
		return err
	}
	r.adopt(fd)
	return nil
}

// adopt makes fd, a new descriptor of the root's path, the shared one if it is
// another directory than the shared one; otherwise fd is closed.
func (r *sharedRoot) adopt(fd int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var held, got unix.Stat_t
	if unix.Fstat(r.fd, &held) == nil && unix.Fstat(fd, &got) == nil && idOf(&held) == idOf(&got) {
		unix.Close(fd)
		return
	}
	unix.Close(r.fd)
	r.fd = fd
}

// release lets go of the root; the last Dir to let go closes it.
func (r *sharedRoot) release() {
	roots.mu.Lock()
	defer roots.mu.Unlock()
	if r.refs--; r.refs > 0 {
		return
	}
	delete(roots.byPath, r.path)
	r.mu.Lock()
	defer r.mu.Unlock()
	unix.Close(r.fd)
	r.fd = -1
}

// openDir opens the module directory name under the root, as openDirAt does.
func (r *sharedRoot) openDir(name string) (int, unix.Stat_t, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return openDirAt(r.fd, r.path, name)
}

// openModuleDir opens (or, with create, makes) the module directory name
// under the root, as openModuleDirAt does.
func (r *sharedRoot) openModuleDir(name string, want uint32, create bool) (fd int, st unix.Stat_t, fixed uint32, err error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return openModuleDirAt(r.fd, r.path, name, want, create)
}
