package top

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"svman/api"
)

// The feeds bring svman's news to the model, each in a goroutine Run owns
// and stops with its context:
//   - watch follows the event stream; each event marks its module stale, and
//     refresh fetches the stale ones (all of them after a reload, a
//     reconnection or a burst), at most every refreshEvery;
//   - sample fetches the CPU time and memory once a second;
//   - logs follows the lines of the module the view asks for.
//
// Nothing polls the modules' states: they change only with an event.
type feeds struct {
	b     Backend
	send  func(tea.Msg)
	guard func(func()) // runs each goroutine's body: a panic gives the terminal back first

	mu    sync.Mutex // guards stale, all, text
	stale map[string]bool
	all   bool   // fetch every module
	text  string // the last event's line, for the bottom line
	kick  chan struct{}

	namesMu sync.Mutex // guards names: set by refresh, read by followLog
	names   []string   // every module, as the last full fetch listed them

	logTarget chan string // the latest target the view asked for (follow)
}

const (
	refreshEvery = 100 * time.Millisecond // a burst of events is one fetch
	burst        = 64                     // more stale modules than this: fetch all
	retryEvery   = time.Second            // the API did not answer: try again after
	sampleEvery  = time.Second            // the CPU and memory columns
	logDebounce  = 150 * time.Millisecond // a selection moving fast follows only where it stops
	logBatch     = 50 * time.Millisecond  // lines reach the view in batches
	logTail      = 200                    // lines already written, shown first
)

func newFeeds(b Backend, send func(tea.Msg), guard func(func())) *feeds {
	return &feeds{b: b, send: send, guard: guard, stale: map[string]bool{}, kick: make(chan struct{}, 1), logTarget: make(chan string, 1)}
}

// run runs every feed until ctx is done.
func (f *feeds) run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, feed := range []func(context.Context){f.watch, f.refresh, f.sample, f.logs} {
		f.goGuarded(&wg, func() { feed(ctx) })
	}
	wg.Wait()
}

// goGuarded runs fn in a goroutine of wg, under the guard.
func (f *feeds) goGuarded(wg *sync.WaitGroup, fn func()) {
	wg.Go(func() { f.guard(fn) })
}

// follow asks the log feed for target's lines (a module, or allModules),
// replacing any target it was not yet given. It never blocks.
func (f *feeds) follow(target string) {
	for {
		select {
		case f.logTarget <- target:
			return
		default:
		}
		select {
		case <-f.logTarget: // drop the older wish
		default:
		}
	}
}

// mark has refresh fetch module (every module if all).
func (f *feeds) mark(module string, all bool, text string) {
	f.mu.Lock()
	if all || len(f.stale) >= burst {
		f.all = true
	} else {
		f.stale[module] = true
	}
	if text != "" {
		f.text = text
	}
	f.mu.Unlock()
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// watch follows the event stream, and opens it again when it ends.
func (f *feeds) watch(ctx context.Context) {
	for ctx.Err() == nil {
		err := f.b.Events(ctx, func() {
			f.send(connMsg{})
			f.mark("", true, "") // what happened before the stream opened
		}, func(e api.Event) {
			f.mark(e.Module, e.Event == "reload" || e.Module == "", e.Message)
		})
		if ctx.Err() != nil {
			return
		}
		f.send(connMsg{err: err})
		wait(ctx, retryEvery)
	}
}

// refresh fetches the modules marked stale, at most every refreshEvery.
func (f *feeds) refresh(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-f.kick:
		}
		f.mu.Lock()
		all, stale, text := f.all, slices.Sorted(maps.Keys(f.stale)), f.text
		f.all, f.text = false, ""
		clear(f.stale)
		f.mu.Unlock()
		if text != "" {
			f.send(eventMsg{text: text})
		}
		if all {
			list, err := f.b.Modules(ctx)
			if err != nil {
				f.failed(ctx, err)
				continue
			}
			names := make([]string, len(list))
			for i, st := range list {
				names[i] = st.Module
			}
			f.namesMu.Lock()
			f.names = names
			f.namesMu.Unlock()
			f.send(connMsg{})
			f.send(modulesMsg{rows: list, full: true})
		} else if len(stale) > 0 {
			list, err := f.b.ModulesNamed(ctx, stale)
			if err != nil { // one was removed meanwhile (404), or svman is gone
				f.mark("", true, "")
				wait(ctx, refreshEvery)
				continue
			}
			f.send(connMsg{})
			f.send(modulesMsg{rows: list})
		}
		wait(ctx, refreshEvery)
	}
}

// failed says the API does not answer, and has the next refresh fetch all.
func (f *feeds) failed(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	f.send(connMsg{err: err})
	wait(ctx, retryEvery)
	f.mark("", true, "")
}

// sample fetches the CPU time and memory of the modules once a second.
func (f *feeds) sample(ctx context.Context) {
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		if rows, err := f.b.Usage(ctx); err == nil {
			f.send(usageMsg{rows: rows, at: time.Now()})
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// wait waits d, or until ctx is done.
func wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
