package proc

import (
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// DirWatch watches status directories for deletions, so that when an operator or
// a cleanup script deletes a directory, its FIFOs, its lock or its status file,
// the module's supervisor is told at once and recreates them, rather than leave
// `echo d > control` writing into a new regular file.
//
// It asks inotify for deletions and renames only: the writes svman itself makes
// in these directories all the time (logs, status.new, output files) never wake
// it. One goroutine reads the inotify descriptor.
type DirWatch struct {
	f      *os.File      // the inotify descriptor; closing it drops every watch at once
	done   chan struct{} // closed when the goroutine has ended
	closed chan struct{} // closed once f is closed (closeFile)

	restored func(name string) bool // whether deleting the file name of a directory calls for a repair

	mu       sync.Mutex        // guards the maps and shutdown
	owners   map[string]func() // status directory -> what to call when it needs repair
	dirs     map[int32]string  // watch descriptor -> status directory
	wds      map[string]int32  // status directory -> watch descriptor
	shutdown bool              // StopAll or Close: every watch is dropped at once, by closeFile
}

// dirWatchMask: the directory itself deleted or moved, or a file in it deleted or
// moved away. IN_ONLYDIR refuses to watch what is not a directory.
const dirWatchMask = unix.IN_DELETE | unix.IN_DELETE_SELF | unix.IN_MOVED_FROM | unix.IN_MOVE_SELF | unix.IN_ONLYDIR

// NewDirWatch starts the watcher's goroutine; Close stops it. restored says
// which files of a status directory its supervisor recreates when they are
// deleted (statusfs knows; this package does not).
func NewDirWatch(restored func(name string) bool) (*DirWatch, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("inotify_init1", err)
	}
	w := &DirWatch{
		f:        os.NewFile(uintptr(fd), "inotify"), // non-blocking: reads go through the poller
		restored: restored,
		done:     make(chan struct{}),
		closed:   make(chan struct{}),
		owners:   make(map[string]func()),
		dirs:     make(map[int32]string),
		wds:      make(map[string]int32),
	}
	go w.loop()
	return w, nil
}

// Close stops the goroutine and drops every watch (unless StopAll did), and
// waits for both.
func (w *DirWatch) Close() {
	w.mu.Lock()
	dropping := w.shutdown
	w.shutdown = true
	w.mu.Unlock()
	if !dropping {
		w.closeFile()
	}
	<-w.closed
	<-w.done
}

// closeFile closes the inotify descriptor, which drops every watch at once and
// ends the blocked read of the goroutine. The close waits for a kernel grace
// period (milliseconds) when it drops watches.
func (w *DirWatch) closeFile() {
	w.f.Close()
	close(w.closed)
}

// Add watches dir: repair is called, from the watcher's goroutine, whenever
// something of the legacy contract in it is deleted or moved away, or the
// directory itself is. It must not block. Adding dir again (after the directory
// was recreated) is fine.
func (w *DirWatch) Add(dir string, repair func()) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.shutdown {
		return os.NewSyscallError("inotify_add_watch "+dir, os.ErrClosed)
	}
	w.owners[dir] = repair
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

// Remove stops watching dir; repair is not called after Remove returns.
func (w *DirWatch) Remove(dir string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.owners, dir)
	wd, ok := w.wds[dir]
	if !ok || w.shutdown {
		return // Close drops every watch at once
	}
	delete(w.wds, dir)
	delete(w.dirs, wd)
	// Fails when the directory is gone already: nothing to undo.
	_ = w.control(func(fd int) error {
		_, err := unix.InotifyRmWatch(fd, uint32(wd))
		return err
	})
}

// control runs f on the inotify descriptor, unless Close has closed it.
func (w *DirWatch) control(f func(fd int) error) error {
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

// StopAll is called when every directory is about to be let go (svman
// stops): no repair is asked for any more, the Removes that follow only forget
// their owner, and the kernel's watches are dropped all at once by closing the
// descriptor, on a goroutine of its own that Close waits for. That close waits
// for a kernel grace period, which the modules' stops then overlap instead of
// svman's exit waiting for it at the end.
func (w *DirWatch) StopAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.shutdown {
		return
	}
	w.shutdown = true
	go w.closeFile()
}

// loop reads events until Close and asks the owners of the directories they
// concern to repair them.
func (w *DirWatch) loop() {
	defer close(w.done)
	buf := make([]byte, 64*1024)
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			return // closed by Close (the poller retries EAGAIN and EINTR itself)
		}
		w.dispatch(buf[:n])
	}
}

// dispatch acts on one read's worth of events.
func (w *DirWatch) dispatch(b []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.shutdown {
		return // every directory is being let go: nothing to repair
	}
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
			for _, repair := range w.owners {
				repair()
			}
		case ev.Mask&unix.IN_IGNORED != 0:
			// The kernel dropped the watch (the directory is gone).
			if dir, ok := w.dirs[ev.Wd]; ok && w.wds[dir] == ev.Wd {
				delete(w.wds, dir)
			}
			delete(w.dirs, ev.Wd)
		case ev.Mask&(unix.IN_DELETE_SELF|unix.IN_MOVE_SELF) != 0 || w.restored(string(name)):
			if repair := w.owners[w.dirs[ev.Wd]]; repair != nil {
				repair()
			}
		}
	}
}
