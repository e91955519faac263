package engine

import (
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// dirWatch watches every supervised status directory, so that when an operator or
// a cleanup script deletes the directory, its FIFOs, its lock or its status file,
// the module's supervisor recreates them at once, rather than leave `echo d >
// control` writing into a new regular file.
//
// It asks inotify for deletions and renames only. svman itself writes into these
// directories all the time (supervise.log lines, status.new, the module's
// __stdout and __stderr), and a watch that also took modifications and creations
// woke svman for each of those writes: it cost a fifth of svman's CPU at shutdown.
// fsnotify, which watches the manifest, cannot narrow its mask; this watch is a
// plain inotify descriptor read by one goroutine.
type dirWatch struct {
	f    *os.File // the inotify descriptor; closing it drops every watch at once
	done chan struct{}

	mu       sync.Mutex             // guards the maps and shutdown
	owners   map[string]*supervisor // status directory -> its supervisor
	dirs     map[int32]string       // watch descriptor -> status directory
	wds      map[string]int32       // status directory -> watch descriptor
	shutdown bool                   // every directory is let go at once by close
}

// dirWatchMask: the directory itself deleted or moved, or a file in it deleted or
// moved away. IN_ONLYDIR refuses to watch what is not a directory.
const dirWatchMask = unix.IN_DELETE | unix.IN_DELETE_SELF | unix.IN_MOVED_FROM | unix.IN_MOVE_SELF | unix.IN_ONLYDIR

// contract are the files of the legacy contract that a supervisor restores.
var contract = map[string]bool{"control": true, "ok": true, "lock": true, "status": true}

// newDirWatch starts the watcher's goroutine; close stops it.
func newDirWatch() (*dirWatch, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("inotify_init1", err)
	}
	w := &dirWatch{
		f:      os.NewFile(uintptr(fd), "inotify"), // non-blocking: reads go through the poller
		done:   make(chan struct{}),
		owners: make(map[string]*supervisor),
		dirs:   make(map[int32]string),
		wds:    make(map[string]int32),
	}
	go w.loop()
	return w, nil
}

// close stops the goroutine and drops every watch.
func (w *dirWatch) close() {
	w.f.Close() // the blocked read returns
	<-w.done
}

// add watches dir for s; adding it again (after the directory was recreated) is fine.
func (w *dirWatch) add(dir string, s *supervisor) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.owners[dir] = s
	var wd int
	err := w.control(func(fd int) (err error) {
		wd, err = unix.InotifyAddWatch(fd, dir, dirWatchMask)
		return err
	})
	if err != nil {
		return os.NewSyscallError("inotify_add_watch "+dir, err)
	}
	w.dirs[int32(wd)] = dir
	w.wds[dir] = int32(wd)
	return nil
}

func (w *dirWatch) remove(dir string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.owners, dir)
	wd, ok := w.wds[dir]
	if !ok || w.shutdown {
		return // close drops every watch at once
	}
	delete(w.wds, dir)
	delete(w.dirs, wd)
	// Fails when the directory is gone already: nothing to undo.
	_ = w.control(func(fd int) error {
		_, err := unix.InotifyRmWatch(fd, uint32(wd))
		return err
	})
}

// control runs f on the inotify descriptor, unless close has closed it.
func (w *dirWatch) control(f func(fd int) error) error {
	rc, err := w.f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// stopAll is called when every module is about to be released: their removes
// then only forget the owner, and close drops the kernel's watches all at once.
// Each inotify_rm_watch waits for the kernel's SRCU grace period, so removing a
// hundred one by one held up svman's exit by tens of milliseconds.
func (w *dirWatch) stopAll() {
	w.mu.Lock()
	w.shutdown = true
	w.mu.Unlock()
}

// loop reads events until close and asks the owners of the directories they
// concern to repair them.
func (w *dirWatch) loop() {
	defer close(w.done)
	buf := make([]byte, 64*1024)
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			return // closed by close (the poller retries EAGAIN and EINTR itself)
		}
		w.dispatch(buf[:n])
	}
}

// dispatch acts on one read's worth of events.
func (w *dirWatch) dispatch(b []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(b) >= unix.SizeofInotifyEvent {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&b[0]))
		end := unix.SizeofInotifyEvent + int(ev.Len)
		if end > len(b) {
			return // the kernel never splits an event; stop rather than misread
		}
		name := b[unix.SizeofInotifyEvent:end]
		for len(name) > 0 && name[len(name)-1] == 0 {
			name = name[:len(name)-1]
		}
		b = b[end:]
		switch {
		case ev.Mask&unix.IN_Q_OVERFLOW != 0:
			// A lost event may have been a deletion: every directory checks itself
			// (a repair with nothing missing is a few stat calls).
			for _, s := range w.owners {
				s.requestRepair()
			}
		case ev.Mask&unix.IN_IGNORED != 0:
			// The kernel dropped the watch (the directory is gone).
			if dir, ok := w.dirs[ev.Wd]; ok && w.wds[dir] == ev.Wd {
				delete(w.wds, dir)
			}
			delete(w.dirs, ev.Wd)
		case ev.Mask&(unix.IN_DELETE_SELF|unix.IN_MOVE_SELF) != 0 || contract[string(name)]:
			if s := w.owners[w.dirs[ev.Wd]]; s != nil {
				s.requestRepair()
			}
		}
	}
}
