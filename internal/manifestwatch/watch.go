// Package manifestwatch tells svman up that its manifest, or a file it is
// made of, may have changed, debounced: one report per editor's save, and one
// more once the files have been quiet long enough for a save in pieces to be
// whole.
package manifestwatch

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher reports, debounced, that a manifest file, or one of the other files
// WatchAlso names (its env files), may have changed. It watches each file's
// directory rather than the file, so every way an editor saves is seen:
// writing in place, truncating and writing, writing a temporary file and
// renaming it over, deleting and creating (and creating a file that was
// missing). A symlinked file's target directory is watched too. One burst of
// events (an editor's save is several) becomes one report on C, sent once the
// files have been quiet for the debounce time; each burst is later followed by
// one report on Settled, sent once they have been quiet for the longer settle
// time: a save that comes in pieces (a paste into `cat >`, a slow copy) is
// whole by then.
//
// One goroutine, started by Watch and ended by Close, owns the set of files
// and directories watched; WatchAlso hands it a new set.
type Watcher struct {
	// C receives a value after each burst of events that touch the files. It is
	// buffered: a report that is not taken yet absorbs the next ones.
	C <-chan struct{}
	// Settled receives a value once the files have not been touched for the
	// settle time after a burst; buffered like C.
	Settled <-chan struct{}

	fsw  *fsnotify.Watcher // nil when the events come from elsewhere (tests)
	also chan alsoRequest
	quit chan struct{}
	done chan struct{}
}

// alsoRequest is a WatchAlso call (or, with drop, an Unwatch), for the
// watcher's goroutine.
type alsoRequest struct {
	paths []string
	drop  bool
	reply chan error
}

// dirWatcher watches directories: fsnotify's watcher, or a test's.
type dirWatcher interface {
	Add(dir string) error
	Remove(dir string) error
}

// Watch starts watching path. quiet is how long the files must be still
// before a burst is reported on C, settle (longer) how long before it is
// reported on Settled. Close stops the watcher's goroutine.
func Watch(path string, quiet, settle time.Duration) (*Watcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w, err := watchEvents(fsw.Events, fsw.Errors, fsw, path, quiet, settle)
	if err != nil {
		fsw.Close()
		return nil, err
	}
	w.fsw = fsw
	return w, nil
}

// watchEvents watches path's directories with dirs and starts the goroutine
// that turns events about the files watched into the Watcher's reports. It
// ends when Close is called or either channel is closed.
func watchEvents(events <-chan fsnotify.Event, errs <-chan error, dirs dirWatcher, path string, quiet, settle time.Duration) (*Watcher, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	set := &watchSet{dirs: dirs, base: fileNames(nil, abs), watched: map[string]bool{}}
	if err := set.replace(nil); err != nil {
		return nil, err
	}
	c, settledC := make(chan struct{}, 1), make(chan struct{}, 1)
	w := &Watcher{C: c, Settled: settledC, also: make(chan alsoRequest), quit: make(chan struct{}), done: make(chan struct{})}
	go w.loop(events, errs, set, newDebouncer(quiet), newDebouncer(settle), c, settledC)
	return w, nil
}

// WatchAlso makes the watcher report changes to paths (relative ones start at
// the working directory) besides the manifest, in place of the paths an
// earlier call gave. A path may name a file that does not exist yet: its
// creation is a change. The error names each directory that cannot be watched
// (one that does not exist, say); the others are watched all the same, and the
// next call tries the failed ones again. It may be called from any goroutine,
// and returns once the new set is in force.
func (w *Watcher) WatchAlso(paths []string) error {
	req := alsoRequest{paths: paths, reply: make(chan error, 1)}
	select {
	case w.also <- req:
		return <-req.reply
	case <-w.done:
		return errors.New("the watcher is closed")
	}
}

// Unwatch stops watching every file now and reports nothing more; Close still
// ends the goroutine. The kernel's watches are dropped at once: closing an
// inotify descriptor that still has watches waits for a kernel grace period
// (milliseconds), which svman's exit would wait for; dropped when svman's stop
// begins, they are freed long before it closes the descriptor. A later
// WatchAlso watches its files again.
func (w *Watcher) Unwatch() {
	req := alsoRequest{drop: true, reply: make(chan error, 1)}
	select {
	case w.also <- req:
		<-req.reply
	case <-w.done:
	}
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

func (w *Watcher) loop(events <-chan fsnotify.Event, errs <-chan error, set *watchSet, burst, settle *debouncer, c, settled chan<- struct{}) {
	defer close(w.done)
	defer burst.stop()
	defer settle.stop()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return
			}
			if set.names[filepath.Clean(ev.Name)] {
				burst.touch()
				settle.touch()
			}
		case _, ok := <-errs:
			if !ok {
				return
			}
			// An overflowed queue may have hidden a change: look at the files again.
			burst.touch()
			settle.touch()
		case req := <-w.also:
			if req.drop {
				set.drop()
				burst.stop()
				burst.fired()
				settle.stop()
				settle.fired()
				req.reply <- nil
				continue
			}
			req.reply <- set.replace(req.paths)
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

// watchSet is the files a Watcher reports on and the directories it watches
// for them. Only the watcher's goroutine uses it once the watcher runs.
type watchSet struct {
	dirs    dirWatcher
	base    map[string]bool // the manifest's names: its path and its symlink's target
	names   map[string]bool // base and the other files' names
	watched map[string]bool // the directories watched
}

// replace makes the set the manifest's files and extra's: it watches the
// directories newly needed and stops watching those no longer needed.
func (s *watchSet) replace(extra []string) error {
	names := maps.Clone(s.base)
	for _, p := range extra {
		if abs, err := filepath.Abs(p); err == nil {
			fileNames(names, abs)
		}
	}
	want := map[string]bool{}
	for n := range names {
		want[filepath.Dir(n)] = true
	}
	var errs []error
	for _, d := range slices.Sorted(maps.Keys(want)) {
		if s.watched[d] {
			continue
		}
		if err := s.dirs.Add(d); err != nil {
			errs = append(errs, fmt.Errorf("cannot watch %s: %w", d, err))
			delete(want, d)
		}
	}
	for d := range s.watched {
		if !want[d] {
			s.dirs.Remove(d) // an error leaves a watch that only costs events
		}
	}
	s.names, s.watched = names, want
	return errors.Join(errs...)
}

// drop stops watching every directory, and leaves no file to report on.
func (s *watchSet) drop() {
	for d := range s.watched {
		s.dirs.Remove(d) // an error leaves a watch that only costs events
	}
	s.names, s.watched = nil, map[string]bool{}
}

// fileNames adds to names (a new map when nil) the absolute path abs and,
// when it is a symlink, the file it leads to, and returns names.
func fileNames(names map[string]bool, abs string) map[string]bool {
	if names == nil {
		names = map[string]bool{}
	}
	names[filepath.Clean(abs)] = true
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		names[real] = true
	}
	return names
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
