package engine

import (
	"path/filepath"
	"sync"

	"github.com/fsnotify/fsnotify"
)

// dirWatch watches every supervised status directory, so that when an operator or
// a cleanup script deletes the directory, its FIFOs, its lock or its status file,
// the module's supervisor recreates them at once, rather than leave `echo d >
// control` writing into a new regular file. Only deletions and renames matter;
// svman's own writes (status.new renamed over status) are not those.
type dirWatch struct {
	fsw  *fsnotify.Watcher
	done chan struct{}

	mu       sync.Mutex             // guards owners and shutdown
	owners   map[string]*supervisor // status directory -> its supervisor
	shutdown bool                   // every directory is let go at once by close
}

// contract are the files of the legacy contract that a supervisor restores.
var contract = map[string]bool{"control": true, "ok": true, "lock": true, "status": true}

// newDirWatch starts the watcher's goroutine; close stops it.
func newDirWatch() (*dirWatch, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &dirWatch{fsw: fsw, done: make(chan struct{}), owners: make(map[string]*supervisor)}
	go w.loop()
	return w, nil
}

func (w *dirWatch) close() {
	w.fsw.Close()
	<-w.done
}

// add watches dir for s; adding it again (after the directory was recreated) is fine.
func (w *dirWatch) add(dir string, s *supervisor) error {
	w.mu.Lock()
	w.owners[dir] = s
	w.mu.Unlock()
	return w.fsw.Add(dir)
}

func (w *dirWatch) remove(dir string) {
	w.mu.Lock()
	delete(w.owners, dir)
	shutdown := w.shutdown
	w.mu.Unlock()
	if shutdown {
		return // close drops every watch at once
	}
	_ = w.fsw.Remove(dir) // fails when the directory is gone already: nothing to undo
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

func (w *dirWatch) loop() {
	defer close(w.done)
	for {
		select {
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if !ev.Op.Has(fsnotify.Remove) && !ev.Op.Has(fsnotify.Rename) {
				continue
			}
			dir := ev.Name
			if contract[filepath.Base(ev.Name)] {
				dir = filepath.Dir(ev.Name)
			}
			w.mu.Lock()
			s := w.owners[dir]
			w.mu.Unlock()
			if s != nil {
				s.requestRepair()
			}
		case _, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			// A lost event may have been a deletion: every directory checks itself
			// (a Repair with nothing missing is a few stat calls).
			w.mu.Lock()
			for _, s := range w.owners {
				s.requestRepair()
			}
			w.mu.Unlock()
		}
	}
}
