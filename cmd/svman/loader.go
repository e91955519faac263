package main

import (
	"errors"
	"io/fs"
	"os"
	"time"

	"svman/manifest"
)

// manifestLoader reads the manifest for `svman up`'s reloads on a goroutine of its
// own, so that a read that waits (a manifest that is a FIFO nobody writes, a
// hung network file system, a user lookup through a slow NSS) never holds up
// the up loop: signals, the engine's reload requests and the stop stay served.
// One load runs at a time; requests made during it are merged into one more
// load after it. The up loop alone calls its methods.
type manifestLoader struct {
	path    string
	results chan loaded // buffered: a load left running at exit never blocks
	notify  func(format string, args ...any)

	running   bool
	since     time.Time // when the running load began
	warned    bool      // the running load was said to be slow
	pending   bool      // a request came during the running load
	pendAsked bool      // and one of those was asked for
}

// loaded is the outcome of one load.
type loaded struct {
	m     *manifest.Manifest // nil with a nil err: an edit caught in the middle of a save
	err   error
	asked bool // HUP, `r` or svman reload, rather than an edit
}

// slowLoad is how long a load may take before a new request says it waits.
const slowLoad = time.Second

func newManifestLoader(path string, notify func(format string, args ...any)) *manifestLoader {
	return &manifestLoader{path: path, results: make(chan loaded, 1), notify: notify}
}

// request asks for a load; asked is true when the operator asked for it.
func (l *manifestLoader) request(asked bool) {
	if !l.running {
		l.start(asked)
		return
	}
	l.pending, l.pendAsked = true, l.pendAsked || asked
	if d := time.Since(l.since); d >= slowLoad && !l.warned {
		l.warned = true
		l.notify("reload: still reading %s after %s; the next reload waits for it", l.path, d.Round(time.Second))
	}
}

// done is called with each result received from results; it starts the load
// requested in the meantime, if any.
func (l *manifestLoader) done() {
	l.running, l.warned = false, false
	if l.pending {
		asked := l.pendAsked
		l.pending, l.pendAsked = false, false
		l.start(asked)
	}
}

func (l *manifestLoader) start(asked bool) {
	l.running, l.since = true, time.Now()
	go func() {
		m, err := loadForReload(l.path, asked)
		l.results <- loaded{m: m, err: err, asked: asked}
	}()
}

// loadForReload reads the manifest at path. A load an edit triggered (asked
// false) is skipped, returning nil and no error, when the file is empty or
// missing: those are moments inside a save, not the end of one.
func loadForReload(path string, asked bool) (*manifest.Manifest, error) {
	if !asked {
		fi, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, nil // deleted, to be created again (or for good: then nothing changes)
		case err == nil && fi.Size() == 0:
			return nil, nil
		}
	}
	return manifest.Load(path)
}
