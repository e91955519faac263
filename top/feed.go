package top

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"svman/api"
	"svman/apiclient"
	"svman/logfiles"
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
	b    Backend
	send func(tea.Msg)

	mu    sync.Mutex // guards stale, all, text
	stale map[string]bool
	all   bool   // fetch every module
	text  string // the last event's line, for the bottom line
	kick  chan struct{}
	names []string // every module, as the last full fetch listed them; owned by refresh, read by logs through namesMu

	namesMu   sync.Mutex
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

func newFeeds(b Backend, send func(tea.Msg)) *feeds {
	return &feeds{b: b, send: send, stale: map[string]bool{}, kick: make(chan struct{}, 1), logTarget: make(chan string, 1)}
}

// run runs every feed until ctx is done.
func (f *feeds) run(ctx context.Context, guard func(func())) {
	var wg sync.WaitGroup
	for _, feed := range []func(context.Context){f.watch, f.refresh, f.sample, f.logs} {
		wg.Go(func() { guard(func() { feed(ctx) }) })
	}
	wg.Wait()
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
			f.send(modulesMsg{rows: list, full: true})
		} else if len(stale) > 0 {
			list, err := f.b.ModulesNamed(ctx, stale)
			if err != nil { // one was removed meanwhile (404), or svman is gone
				f.mark("", true, "")
				wait(ctx, refreshEvery)
				continue
			}
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

// logs follows the lines of the target the view last asked for.
func (f *feeds) logs(ctx context.Context) {
	var cur struct {
		stop context.CancelFunc // ends the stream followed
		wg   sync.WaitGroup     // its goroutine
	}
	cur.stop = func() {}
	defer cur.wg.Wait()
	defer func() { cur.stop() }()
	for {
		target, ok := f.nextTarget(ctx)
		if !ok {
			return
		}
		cur.stop()
		cur.wg.Wait() // its last lines are sent before the new target's
		var fctx context.Context
		fctx, cur.stop = context.WithCancel(ctx)
		cur.wg.Go(func() { f.followLog(fctx, target) })
	}
}

// nextTarget waits for the view to ask for a target, then for the selection
// to rest there logDebounce: a newer wish meanwhile wins. false once ctx is
// done.
func (f *feeds) nextTarget(ctx context.Context) (string, bool) {
	var target string
	select {
	case <-ctx.Done():
		return "", false
	case target = <-f.logTarget:
	}
	timer := time.NewTimer(logDebounce)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return "", false
		case target = <-f.logTarget:
			timer.Reset(logDebounce)
		case <-timer.C:
			return target, true
		}
	}
}

// followLog sends target's lines in batches until ctx is done, following
// again after retryEvery when the stream ends.
func (f *feeds) followLog(ctx context.Context, target string) {
	modules := []string{target}
	if target == allModules {
		f.namesMu.Lock()
		modules = f.names
		f.namesMu.Unlock()
		if len(modules) == 0 {
			return
		}
	}
	for ctx.Err() == nil {
		b := newLogBatcher(target, f.send)
		err := f.b.Logs(ctx, apiclient.LogQuery{Modules: modules, Tail: logTail, Follow: true}, b.add)
		b.close(err)
		if ctx.Err() != nil {
			return
		}
		wait(ctx, retryEvery)
	}
}

// logBatcher gathers the lines of a stream and sends them every logBatch:
// a module writing a hundred thousand lines a second costs the view twenty
// messages a second, each of at most logKeep lines.
type logBatcher struct {
	target string
	send   func(tea.Msg)
	mu     sync.Mutex // guards lines and reset: add runs in the stream's goroutine, flush in loop's
	lines  []logLine
	reset  bool // the next batch replaces what the pane shows (a new stream)
	stop   chan struct{}
	done   chan struct{}
}

func newLogBatcher(target string, send func(tea.Msg)) *logBatcher {
	b := &logBatcher{target: target, send: send, reset: true, stop: make(chan struct{}), done: make(chan struct{})}
	go b.loop()
	return b
}

func (b *logBatcher) add(l logfiles.Line) {
	b.mu.Lock()
	b.lines = append(b.lines, logLine{at: l.Time, module: l.Module, stream: l.Stream, text: string(l.Text)})
	if len(b.lines) > 2*logKeep {
		b.lines = append(b.lines[:0], b.lines[len(b.lines)-logKeep:]...)
	}
	b.mu.Unlock()
}

func (b *logBatcher) loop() {
	defer close(b.done)
	t := time.NewTicker(logBatch)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.flush(nil)
		}
	}
}

// flush sends what was gathered (and err, when the stream ended).
func (b *logBatcher) flush(err error) {
	b.mu.Lock()
	lines := b.lines[max(0, len(b.lines)-logKeep):]
	reset := b.reset
	b.lines, b.reset = nil, false
	b.mu.Unlock()
	if len(lines) > 0 || err != nil || reset {
		b.send(logMsg{target: b.target, lines: lines, reset: reset, err: err})
	}
}

// close stops the batcher and sends the last lines, with why they stopped.
func (b *logBatcher) close(err error) {
	close(b.stop)
	<-b.done
	b.flush(err)
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
