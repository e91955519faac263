// Package manifestwatch tells svman up that its manifest file may have changed,
// debounced: one report per editor's save, and one more once the file has been
// quiet long enough for a save in pieces to be whole.
package manifestwatch

import (
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher reports, debounced, that a manifest file may have changed. It watches the
// file's directory rather than the file, so every way an editor saves is seen:
// writing in place, truncating and writing, writing a temporary file and renaming it
// over, deleting and creating. A symlinked manifest's target directory is watched
// too. One burst of events (an editor's save is several) becomes one report on C,
// sent once the file has been quiet for the debounce time; each burst is later
// followed by one report on Settled, sent once the file has been quiet for the
// longer settle time: a save that comes in pieces (a paste into `cat >`, a slow
// copy) is whole by then.
type Watcher struct {
	// C receives a value after each burst of events that touch the manifest. It is
	// buffered: a report that is not taken yet absorbs the next ones.
	C <-chan struct{}
	// Settled receives a value once the manifest has not been touched for the
	// settle time after a burst; buffered like C.
	Settled <-chan struct{}

	fsw  *fsnotify.Watcher // nil when the events come from elsewhere (tests)
	quit chan struct{}
	done chan struct{}
}

// Watch starts watching path. quiet is how long the file must be still
// before a burst is reported on C, settle (longer) how long before it is reported
// on Settled. Close stops the watcher's goroutine.
func Watch(path string, quiet, settle time.Duration) (*Watcher, error) {
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
	w := watchEvents(fsw.Events, fsw.Errors, names, quiet, settle)
	w.fsw = fsw
	return w, nil
}

// watchEvents starts the goroutine that turns events about names into the
// Watcher's reports. It ends when Close is called or either channel is closed.
func watchEvents(events <-chan fsnotify.Event, errs <-chan error, names map[string]bool, quiet, settle time.Duration) *Watcher {
	c, settled := make(chan struct{}, 1), make(chan struct{}, 1)
	w := &Watcher{C: c, Settled: settled, quit: make(chan struct{}), done: make(chan struct{})}
	go w.loop(events, errs, names, newDebouncer(quiet), newDebouncer(settle), c, settled)
	return w
}

// Close stops watching and waits for the goroutine to end.
func (w *Watcher) Close() error {
	close(w.quit)
	var err error
	if w.fsw != nil {
		err = w.fsw.Close()
	}
	<-w.done
	return err
}

func (w *Watcher) loop(events <-chan fsnotify.Event, errs <-chan error, names map[string]bool, burst, settle *debouncer, c, settled chan<- struct{}) {
	defer close(w.done)
	defer burst.stop()
	defer settle.stop()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return
			}
			if names[filepath.Clean(ev.Name)] {
				burst.touch()
				settle.touch()
			}
		case _, ok := <-errs:
			if !ok {
				return
			}
			// An overflowed queue may have hidden a change: look at the file again.
			burst.touch()
			settle.touch()
		case <-burst.C():
			burst.fired()
			notify(c)
		case <-settle.C():
			settle.fired()
			notify(settled)
		case <-w.quit:
			return
		}
	}
}

// notify sends on a buffered channel of one unless a report is already waiting.
func notify(c chan<- struct{}) {
	select {
	case c <- struct{}{}:
	default:
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
