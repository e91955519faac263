package engine

import (
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher reports, debounced, that a manifest file may have changed. It watches the
// file's directory rather than the file, so every way an editor saves is seen:
// writing in place, truncating and writing, writing a temporary file and renaming it
// over, deleting and creating. A symlinked manifest's target directory is watched
// too. One burst of events (an editor's save is several) becomes one report, sent
// once the directory has been quiet for the debounce time.
type Watcher struct {
	// C receives a value after each burst of events that touch the manifest. It is
	// buffered: a report that is not taken yet absorbs the next ones.
	C <-chan struct{}

	fsw  *fsnotify.Watcher
	quit chan struct{}
	done chan struct{}
}

// WatchManifest starts watching path. quiet is how long the directory must be still
// before a burst is reported. Close stops the watcher's goroutine.
func WatchManifest(path string, quiet time.Duration) (*Watcher, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{abs: true}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		names[real] = true
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	dirs := map[string]bool{}
	for n := range names {
		dirs[filepath.Dir(n)] = true
	}
	for d := range dirs {
		if err := fsw.Add(d); err != nil {
			fsw.Close()
			return nil, err
		}
	}
	c := make(chan struct{}, 1)
	w := &Watcher{C: c, fsw: fsw, quit: make(chan struct{}), done: make(chan struct{})}
	go w.loop(names, quiet, c)
	return w, nil
}

// Close stops watching and waits for the goroutine to end.
func (w *Watcher) Close() error {
	close(w.quit)
	err := w.fsw.Close()
	<-w.done
	return err
}

func (w *Watcher) loop(names map[string]bool, quiet time.Duration, c chan<- struct{}) {
	defer close(w.done)
	d := newDebouncer(quiet)
	for {
		select {
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if names[filepath.Clean(ev.Name)] {
				d.touch()
			}
		case _, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			// An overflowed queue may have hidden a change: look at the file again.
			d.touch()
		case <-d.C():
			d.fired()
			select {
			case c <- struct{}{}:
			default:
			}
		case <-w.quit:
			d.stop()
			return
		}
	}
}

// debouncer turns a burst of touches into one firing, quiet after the last touch.
// Its timer channel is nil while nothing is pending, so an idle watcher never wakes.
type debouncer struct {
	quiet time.Duration
	timer *time.Timer
	c     <-chan time.Time
}

func newDebouncer(quiet time.Duration) *debouncer {
	t := time.NewTimer(quiet)
	t.Stop()
	return &debouncer{quiet: quiet, timer: t}
}

func (d *debouncer) touch() {
	d.timer.Reset(d.quiet)
	d.c = d.timer.C
}

func (d *debouncer) C() <-chan time.Time { return d.c }
func (d *debouncer) fired()              { d.c = nil }
func (d *debouncer) stop()               { d.timer.Stop() }
