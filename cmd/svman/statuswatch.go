package main

import (
	"path/filepath"
	"sync"

	"github.com/fsnotify/fsnotify"
)

// statusWatch wakes `svman wait` when what `svman status` reads of a module may
// have changed: its status file, state.json or lock created, renamed into
// place, rewritten or removed; a module's directory made, removed or moved in
// the directory that holds them. A module's log lines, and everything else
// written in its directory, never wake it. What inotify cannot tell (a lock
// let go without a write, when its svman dies) the waiter's recheck finds.
//
// One goroutine reads the events; wake holds at most one pending wake-up,
// however many events came.
type statusWatch struct {
	fsw  *fsnotify.Watcher
	wake chan struct{}
	done chan struct{}

	mu      sync.Mutex      // guards watched
	watched map[string]bool // directory -> it holds status directories (a root)
}

// waking reports whether name is a file of a status directory whose change can
// change its status.
func waking(name string) bool {
	switch name {
	case "status", "state.json", "lock":
		return true
	}
	return false
}

// newStatusWatch starts the watch; Close stops it.
func newStatusWatch() (*statusWatch, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &statusWatch{fsw: fsw, wake: make(chan struct{}, 1), done: make(chan struct{}), watched: make(map[string]bool)}
	go w.loop()
	return w, nil
}

// Close stops the goroutine and drops every watch.
func (w *statusWatch) Close() {
	w.fsw.Close()
	<-w.done
}

// add watches each directory of roots (which hold status directories) and
// of dirs (status directories) not watched yet. One that does not exist yet
// is tried again by the next add.
func (w *statusWatch) add(roots, dirs []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, list := range [2][]string{roots, dirs} {
		for _, dir := range list {
			if _, ok := w.watched[dir]; ok {
				continue
			}
			if w.fsw.Add(dir) == nil {
				w.watched[dir] = i == 0
			}
		}
	}
}

// loop reads events until Close, and wakes the waiter for those that matter.
// A watched directory removed or moved away is forgotten, so that add
// watches its path again.
func (w *statusWatch) loop() {
	defer close(w.done)
	for {
		select {
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if w.matters(ev) {
				select {
				case w.wake <- struct{}{}:
				default:
				}
			}
		case _, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			select { // an overflow may have lost an event: look again
			case w.wake <- struct{}{}:
			default:
			}
		}
	}
}

// matters reports whether ev can change a status.
func (w *statusWatch) matters(ev fsnotify.Event) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.watched[ev.Name]; ok && ev.Has(fsnotify.Remove|fsnotify.Rename) {
		delete(w.watched, ev.Name)
		return true
	}
	return w.watched[filepath.Dir(ev.Name)] || waking(filepath.Base(ev.Name))
}
