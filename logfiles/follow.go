package logfiles

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/fsnotify/fsnotify"
)

// burst is how many waiting events are taken at once before the files are read:
// a module writing fast costs one pass over its files per burst, not per write.
const burst = 1024

// watcher follows the tailers' files: it watches each module's status directory (and,
// while one does not exist, its nearest existing ancestor, to see it appear) and reads
// the tailers whose files changed.
type watcher struct {
	fsw       *fsnotify.Watcher
	byDir     map[string][]*tailer // module directory: its tailers
	ancestors map[string]bool      // the directories above the module directories
	watched   map[string]bool
	dirty     []*tailer
	rescan    bool // a directory appeared or went: look at what to watch again
}

func newWatcher(ts []*tailer) (*watcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("follow the log files: %w", err)
	}
	w := &watcher{
		fsw:       fsw,
		byDir:     map[string][]*tailer{},
		ancestors: map[string]bool{},
		watched:   map[string]bool{},
	}
	for _, t := range ts {
		dir := filepath.Clean(t.src.Dir)
		w.byDir[dir] = append(w.byDir[dir], t)
		for a := filepath.Dir(dir); !w.ancestors[a]; a = filepath.Dir(a) {
			w.ancestors[a] = true
		}
	}
	if err := w.ensure(); err != nil {
		fsw.Close()
		return nil, err
	}
	return w, nil
}

func (w *watcher) close() { w.fsw.Close() }

// ensure watches every module directory that exists, and for each one that does not,
// its nearest existing ancestor. The tailers of a directory watched anew are marked
// dirty: their files may have been written before. A module directory that exists
// but cannot be watched (no inotify watch left, ...) is an error.
func (w *watcher) ensure() error {
	for dir, ts := range w.byDir {
		if w.watched[dir] {
			continue
		}
		// Each round either watches dir or finds that a directory on the way to it
		// appeared while its parent was not watched yet: then it goes one deeper.
		for range 64 {
			err := w.fsw.Add(dir)
			if err == nil {
				w.watched[dir] = true
				for _, t := range ts {
					w.mark(t)
				}
				break
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("follow the log files in %s: %w", dir, err)
			}
			a, child := filepath.Dir(dir), dir
			for !exists(a) && a != filepath.Dir(a) {
				a, child = filepath.Dir(a), a
			}
			if !w.watched[a] {
				if w.fsw.Add(a) != nil {
					continue // gone meanwhile: look again
				}
				w.watched[a] = true
			}
			if !exists(child) {
				break // its creation will be reported
			}
		}
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func (w *watcher) mark(t *tailer) {
	if !t.dirty {
		t.dirty = true
		w.dirty = append(w.dirty, t)
	}
}

// handle notes what an event changed.
func (w *watcher) handle(ev fsnotify.Event) {
	name := filepath.Clean(ev.Name)
	base := filepath.Base(name)
	logFile := false
	for _, t := range w.byDir[filepath.Dir(name)] {
		if strings.HasPrefix(base, FileName(t.stream)) {
			w.mark(t)
			logFile = true
		}
	}
	if logFile {
		return
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		if w.watched[name] {
			delete(w.watched, name)
			_ = w.fsw.Remove(name) // gone already when the directory was removed
			w.rescan = true
		}
		for _, t := range w.byDir[name] {
			w.mark(t)
		}
	}
	if ev.Has(fsnotify.Create) && (w.ancestors[name] || w.byDir[name] != nil) {
		w.rescan = true
	}
}

// testHookFollowing, if set, is called when Read has given what existed and follows.
var testHookFollowing func()

// run reads the dirty tailers, then waits for events, until ctx is done.
func (w *watcher) run(ctx context.Context, emit func(Line)) error {
	if testHookFollowing != nil {
		testHookFollowing()
	}
	for _, ts := range w.byDir {
		for _, t := range ts {
			w.mark(t) // what was written while the files were read
		}
	}
	for {
		if w.rescan {
			w.rescan = false
			if err := w.ensure(); err != nil {
				return err
			}
		}
		if len(w.dirty) > 0 {
			ts := w.dirty
			w.dirty = nil
			for _, t := range ts {
				t.dirty = false
			}
			if err := merge(ctx, ts, emit); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return errors.New("follow the log files: the watcher stopped")
			}
			w.handle(ev)
		case err := <-w.fsw.Errors:
			if !errors.Is(err, fsnotify.ErrEventOverflow) {
				return fmt.Errorf("follow the log files: %w", err)
			}
			// Events were lost: look at everything.
			w.rescan = true
			for _, ts := range w.byDir {
				for _, t := range ts {
					w.mark(t)
				}
			}
		}
	more:
		for range burst {
			select {
			case ev, ok := <-w.fsw.Events:
				if !ok {
					break more
				}
				w.handle(ev)
			default:
				break more
			}
		}
	}
}
