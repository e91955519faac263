package metrics

import (
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// textfileEvery is the shortest time between two writes of the textfile: a
// burst of events (a module in a crash loop, a reload of many modules, a
// module writing lines as fast as it can) is one write a second.
const textfileEvery = time.Second

// SetTextfile makes RunTextfile keep path up to date (a manifest's
// metrics.textfile), in place of the file it kept before, which it removes;
// "" stops it writing. Only one goroutine may call it.
func (o *Observer) SetTextfile(path string) {
	if o == nil {
		return
	}
	select {
	case <-o.paths: // not taken yet: replaced
	default:
	}
	o.textfileOn.Store(path != "")
	o.paths <- path
}

// RunTextfile writes the metrics, in the Prometheus text format, to the file
// SetTextfile names, until quit is closed; report is told how each write went
// (nil when it succeeded), from RunTextfile's goroutine.
// It writes when something changed, at most once every textfileEvery; in
// between, and while nothing changes, it waits on a channel with no timer
// armed: it costs nothing while svman is idle. Each write goes to a temporary
// file in the same directory, mode 0644, renamed over the file, so that
// node_exporter never reads half of it. The file has every series but the CPU
// time and memory, which only a scrape reads: written on change, they would
// be stale. What changed before quit is written before it returns.
func (o *Observer) RunTextfile(quit <-chan struct{}, report func(error)) {
	var (
		path  string
		dirty bool
		last  time.Time // of the last write
		timer *time.Timer
		due   <-chan time.Time // timer's channel while it is armed
	)
	write := func() {
		dirty, due = false, nil
		if path == "" {
			return
		}
		report(prometheus.WriteToTextfile(path, o.fileReg))
		last = time.Now()
	}
	for {
		select {
		case <-quit:
			// A change that came with quit, which select may have picked
			// first, is written too.
			select {
			case <-o.changed:
				dirty = path != ""
			default:
			}
			if dirty {
				write()
			}
			if timer != nil {
				timer.Stop()
			}
			return
		case p := <-o.paths:
			if p != path && path != "" {
				if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
					report(err)
				}
			}
			if p != path {
				last = time.Time{} // a new file is written at once
			}
			path, dirty = p, p != ""
		case <-o.changed:
			dirty = path != ""
		case <-due:
			write()
		}
		o.textfileWakes.Add(1)
		if !dirty || due != nil {
			continue
		}
		wait := max(textfileEvery-time.Since(last), 0)
		if timer == nil {
			timer = time.NewTimer(wait)
		} else {
			timer.Reset(wait)
		}
		due = timer.C
	}
}
