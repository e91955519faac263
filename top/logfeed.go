package top

import (
	"context"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"svman/apiclient"
	"svman/logfiles"
)

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
		f.goGuarded(&cur.wg, func() { f.followLog(fctx, target) })
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
	for ctx.Err() == nil {
		modules := []string{target}
		if target == allModules { // every module, as now listed (the view asks again when the list changes)
			f.namesMu.Lock()
			modules = f.names
			f.namesMu.Unlock()
			if len(modules) == 0 {
				wait(ctx, retryEvery) // none listed yet
				continue
			}
		}
		b := newLogBatcher(target, f.send, f.guard)
		err := f.b.Logs(ctx, apiclient.LogQuery{Modules: modules, Tail: logTail, Follow: true}, b.add)
		b.close(err)
		if ctx.Err() != nil {
			return
		}
		wait(ctx, retryEvery)
	}
}

// logBatcher gathers the lines of a stream and sends them logBatch after
// the first of a batch came: a module writing a hundred thousand lines a
// second costs the view twenty messages a second, each of at most logKeep
// lines, and a quiet one nothing (no timer runs while no line waits).
type logBatcher struct {
	target string
	send   func(tea.Msg)
	kick   chan struct{} // a batch has begun (or the first, empty, must go)
	stop   chan struct{}
	done   chan struct{}

	mu    sync.Mutex // guards lines and reset: add runs in the stream's goroutine, flush in loop's (and in close's, once loop is done)
	lines []logLine
	reset bool // the next batch replaces what the pane shows (a new stream)
}

func newLogBatcher(target string, send func(tea.Msg), guard func(func())) *logBatcher {
	b := &logBatcher{target: target, send: send, reset: true,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	b.kick <- struct{}{} // the first batch clears the pane, lines or not
	go guard(b.loop)
	return b
}

func (b *logBatcher) add(l logfiles.Line) {
	b.mu.Lock()
	b.lines = append(b.lines, logLine{at: l.Time, module: l.Module, stream: l.Stream, text: string(l.Text)})
	if len(b.lines) > 2*logKeep {
		b.lines = append(b.lines[:0], b.lines[len(b.lines)-logKeep:]...)
	}
	first := len(b.lines) == 1
	b.mu.Unlock()
	if first {
		select {
		case b.kick <- struct{}{}:
		default:
		}
	}
}

// loop sends a batch logBatch after each began, until stop.
func (b *logBatcher) loop() {
	defer close(b.done)
	for {
		select {
		case <-b.stop:
			return
		case <-b.kick:
		}
		t := time.NewTimer(logBatch)
		select {
		case <-b.stop:
			t.Stop()
			return
		case <-t.C:
		}
		b.flush(nil)
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
