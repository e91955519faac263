package main

import (
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// statusWatch wakes `svman wait` when what `svman status` reads of a module may
// have changed: its status file or state.json renamed into place or rewritten
// in place, its lock closed (its svman gone), its directory created, deleted or
// moved. It watches status directories and the directories that hold them
// with inotify, for those events only: a module's log lines, and the opens of
// the ok and control FIFOs that reading a status makes, never wake it.
//
// One goroutine reads the inotify descriptor; wake holds at most one pending
// wake-up, however many events came.
type statusWatch struct {
	f    *os.File // the inotify descriptor
	wake chan struct{}
	done chan struct{}

	mu      sync.Mutex       // guards watched and dirs
	watched map[string]int32 // directory -> its watch descriptor
	dirs    map[int32]string // watch descriptor -> directory
}

// statusWatchMask: files created, renamed into or out of the directory,
// deleted, or closed after writing; the directory itself deleted or moved.
const statusWatchMask = unix.IN_CREATE | unix.IN_MOVED_TO | unix.IN_MOVED_FROM | unix.IN_DELETE |
	unix.IN_CLOSE_WRITE | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_ONLYDIR

// waking reports whether name is a file of a status directory whose change can
// change its status. Other names wake the watch only when they are directories:
// a module's directory made or removed in the directory that holds them.
func waking(name string) bool {
	switch name {
	case "status", "state.json", "lock":
		return true
	}
	return false
}

// newStatusWatch starts the watch; Close stops it.
func newStatusWatch() (*statusWatch, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("inotify_init1", err)
	}
	w := &statusWatch{
		f:       os.NewFile(uintptr(fd), "inotify"), // non-blocking: reads go through the poller
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
		watched: make(map[string]int32),
		dirs:    make(map[int32]string),
	}
	go w.loop()
	return w, nil
}

// Close stops the goroutine and drops every watch.
func (w *statusWatch) Close() {
	w.f.Close()
	<-w.done
}

// add watches each of dirs not watched yet, and reports whether all of them
// are now: a directory that does not exist yet is not, and is tried again by
// the next add.
func (w *statusWatch) add(dirs ...string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	all := true
	for _, dir := range dirs {
		if _, ok := w.watched[dir]; ok {
			continue
		}
		rc, err := w.f.SyscallConn()
		if err != nil {
			return false
		}
		var wd int
		var werr error
		if err := rc.Control(func(fd uintptr) {
			wd, werr = unix.InotifyAddWatch(int(fd), dir, statusWatchMask)
		}); err != nil || werr != nil {
			all = false
			continue
		}
		w.watched[dir], w.dirs[int32(wd)] = int32(wd), dir
	}
	return all
}

// loop reads events until Close, and wakes the waiter for those that matter.
// A directory deleted is forgotten, so that add watches it again once made.
func (w *statusWatch) loop() {
	defer close(w.done)
	buf := make([]byte, 64*1024)
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			return // closed by Close
		}
		if w.matters(buf[:n]) {
			select {
			case w.wake <- struct{}{}:
			default:
			}
		}
	}
}

// matters reports whether one read's worth of events holds one that can change
// a status. An overflow may have lost one: it matters. A watch the kernel
// dropped (its directory is gone) is forgotten, so that add makes it again.
func (w *statusWatch) matters(b []byte) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	found := false
	for len(b) >= unix.SizeofInotifyEvent {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&b[0]))
		end := unix.SizeofInotifyEvent + int(ev.Len)
		if end > len(b) {
			return true // the kernel never splits an event: look again rather than misread
		}
		name := string(b[unix.SizeofInotifyEvent:end])
		for len(name) > 0 && name[len(name)-1] == 0 {
			name = name[:len(name)-1]
		}
		b = b[end:]
		switch {
		case ev.Mask&unix.IN_IGNORED != 0:
			if dir, ok := w.dirs[ev.Wd]; ok && w.watched[dir] == ev.Wd {
				delete(w.watched, dir)
			}
			delete(w.dirs, ev.Wd)
			found = true
		case ev.Mask&unix.IN_MOVE_SELF != 0:
			// The watch follows the directory away: watch its path anew.
			if dir, ok := w.dirs[ev.Wd]; ok && w.watched[dir] == ev.Wd {
				delete(w.watched, dir)
			}
			found = true
		case ev.Mask&(unix.IN_Q_OVERFLOW|unix.IN_DELETE_SELF) != 0:
			found = true
		case ev.Mask&unix.IN_ISDIR != 0 || waking(name):
			found = true
		}
	}
	return found
}
