package main

import (
	"svman/logmux"
	"svman/manifest"
	"svman/metrics"
)

// startTextfile runs the textfile writer of o (metrics.Observer.RunTextfile),
// keeping the manifest's metrics.textfile, if it names one, up to date; a
// reload changes it with o.SetTextfile. A write that fails is said on the
// console, once until it fails otherwise or succeeds. The function returned
// stops the writer after a last write of what changed: svman up calls it once
// every module is down, so that the file says so.
func startTextfile(o *metrics.Observer, m *manifest.Manifest, console *logmux.Console) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	var last string // the last error said; only the writer's goroutine uses it
	report := func(err error) {
		if err == nil {
			last = ""
			return
		}
		if msg := err.Error(); msg != last {
			last = msg
			console.Systemf("cannot write the metrics textfile: %v", err)
		}
	}
	o.SetTextfile(m.Metrics.Textfile)
	go func() {
		o.RunTextfile(quit, report)
		close(done)
	}()
	return func() {
		close(quit)
		<-done
	}
}
