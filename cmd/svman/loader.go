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
// the reload actor (upReloader): the engine's reload requests and the stop stay
// served. One load runs at a time; requests made during it are merged into one
// more load after it. The reload actor alone calls its methods.
type manifestLoader struct {
	path    string
	results chan loaded // buffered: a load left running at exit never blocks
	notify  func(format string, args ...any)

	running   bool
	since     time.Time   // when the running load began
	warned    bool        // the running load was said to be slow
	pending   bool        // a request came during the running load
	pendCause reloadCause // the strongest cause of those
}

// loaded is the outcome of one load.
type loaded struct {
	m     *manifest.Manifest // nil with a nil err: an edit caught in the middle of a save
	err   error
	cause reloadCause
}

// slowLoad is how long a load may take before a new request says it waits.
const slowLoad = time.Second

func newManifestLoader(path string, notify func(format string, args ...any)) *manifestLoader {
	return &manifestLoader{path: path, results: make(chan loaded, 1), notify: notify}
}

// request asks for a load, for cause.
func (l *manifestLoader) request(cause reloadCause) {
	if !l.running {
		l.start(cause)
		return
	}
	if !l.pending || cause > l.pendCause {
		l.pendCause = cause
	}
	l.pending = true
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
		l.pending = false
		l.start(l.pendCause)
	}
}

func (l *manifestLoader) start(cause reloadCause) {
	l.running, l.since = true, time.Now()
	go func() {
		m, err := loadForReload(l.path, cause == byOperator)
		if m != nil {
			m = supervised(m)
		}
		l.results <- loaded{m: m, err: err, cause: cause}
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
