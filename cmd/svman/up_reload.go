package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"svman/api"
	"svman/engine"
	"svman/internal/manifestwatch"
	"svman/logmux"
	"svman/manifest"
	"svman/statusfs"
)

// upReloader is svman up's reload actor (lifecycle.go): it turns saves of the
// manifest, HUP, `svman reload` and `r` on a control FIFO into loads of the
// file (loader.go), and applies what they read. It alone holds the manifest in
// force. Once a stop has begun, nothing it reads is applied.
type upReloader struct {
	sv      *supervision
	console *logmux.Console
	m       *manifest.Manifest // in force
	pending bool               // removals an edit held back, until the file is quiet

	edits, settled <-chan struct{} // the manifest watcher's; nil when there is none
	hangups        chan struct{}   // HUP, buffered for one
	loads          *manifestLoader
	sources        *sourceWatch                       // keeps the watcher on the env files of the manifest in force
	inForce        *atomic.Pointer[manifest.Manifest] // m, for readers on other goroutines (the API)
	// asks are the control API's reloads (ask): each waits for the first load
	// that begins after it. next wait for the load under way or about to
	// start; after, for the one the loader starts after it.
	asks        chan chan<- reloaded
	next, after []chan<- reloaded
}

// reloaded is what a reload the API asked for did: the plan applied, or why
// none was.
type reloaded struct {
	plan engine.Plan
	err  error
}

// askReload is the control API's reload (api.Config.Reload) through asks, the
// reload actor's: the manifest is read again and applied as at `svman
// reload`, and the plan applied returned.
func askReload(asks chan<- chan<- reloaded) func(context.Context) (engine.Plan, error) {
	return func(ctx context.Context) (engine.Plan, error) { return ask(ctx, asks) }
}

func ask(ctx context.Context, asks chan<- chan<- reloaded) (engine.Plan, error) {
	reply := make(chan reloaded, 1)
	select {
	case asks <- reply:
	case <-ctx.Done():
		return engine.Plan{}, ctx.Err()
	}
	select {
	case res := <-reply:
		return res.plan, res.err
	case <-ctx.Done():
		return engine.Plan{}, ctx.Err()
	}
}

// answer gives the API's reloads waiting for the load just done what it did.
func (r *upReloader) answer(res reloaded) {
	for _, c := range r.next {
		c <- res // buffered for one
	}
	r.next, r.after = r.after, nil
}

// run is the actor; it returns once quit is closed. A load still running then
// is left to finish into its buffered channel.
func (r *upReloader) run(quit <-chan struct{}) {
	stopping := r.sv.running.Done()
	for {
		select {
		case <-stopping:
			stopping = nil
			r.sources.unwatch() // a stopping svman reloads nothing
		case <-r.edits:
			if !r.sv.stopping() {
				r.loads.request(byEdit)
			}
		case <-r.settled:
			if !r.sv.stopping() && r.pending {
				r.loads.request(bySettled)
			}
		case res := <-r.loads.results:
			r.loads.done()
			if r.sv.stopping() {
				r.answer(reloaded{err: errors.New("svman is stopping")})
			} else {
				prev := r.m
				var out reloaded
				r.m, r.pending, out.plan, out.err = reload(r.sv, r.m, r.pending, res, r.console)
				r.inForce.Store(r.m)
				r.answer(out)
				if res.m != nil || res.err != nil { // not skipped
					r.sv.api.Load().PublishReload(out.plan, out.err)
				}
				switch de := (*manifest.DiagError)(nil); {
				case r.m != prev:
					r.sources.follow(r.m.Sources)
				case errors.As(res.err, &de) && len(de.Sources) > 0:
					// The save that fixes it may be that of a missing env file.
					r.sources.follow(slices.Concat(r.m.Sources, de.Sources))
				}
			}
		case <-r.hangups:
			r.loads.request(byOperator)
		case <-r.sv.reloads:
			r.loads.request(byOperator)
		case c := <-r.asks:
			if r.loads.running {
				r.after = append(r.after, c)
			} else {
				r.next = append(r.next, c)
			}
			r.loads.request(byOperator)
		case <-quit:
			return
		}
	}
}

// unsupervised is those of names whose status directory under root no
// supervisor holds.
func unsupervised(root string, names []string) []string {
	var out []string
	for _, n := range names {
		if !statusfs.Supervised(filepath.Join(root, n)) {
			out = append(out, n)
		}
	}
	return out
}

// pruneScale forgets the counts of svman scale that the manifest m in force
// overrides: left, they would apply again if the manifest's field went back
// to the value they were recorded against.
func pruneScale(m *manifest.Manifest, console *logmux.Console) {
	if err := manifest.PruneScale(m); err != nil {
		console.Systemf("cannot update svman scale's counts in %s: %v", m.StatusDir, err)
	}
}

// sourceWatch keeps the manifest watcher watching the other files the
// manifest in force is made of (Manifest.Sources: env files, a Procfile's
// .env), so that saving one reloads as saving the manifest does. svman up
// calls follow once at the start, then the reload actor after each reload
// that puts a new manifest in force.
type sourceWatch struct {
	w       *manifestwatch.Watcher // nil when there is no watcher
	systemf func(format string, args ...any)
	lastErr string // what the last follow could not watch, said once
}

// follow watches sources (a manifest's) in place of the previous ones. A
// directory that cannot be watched is said on the console, once until it
// changes.
func (s *sourceWatch) follow(sources []string) {
	if s == nil || s.w == nil {
		return
	}
	msg := ""
	if err := s.w.WatchAlso(sources); err != nil {
		msg = strings.ReplaceAll(err.Error(), "\n", "; ")
	}
	if msg != "" && msg != s.lastErr {
		s.systemf("%s: edits of the env files there apply at the next 'svman reload'", msg)
	}
	s.lastErr = msg
}

// unwatch stops watching the manifest and its other files, once svman stops:
// the watches are dropped then, while the modules stop, rather than when the
// watcher is closed on svman's way out, where dropping them would wait for a
// kernel grace period (manifestwatch.Watcher.Unwatch).
func (s *sourceWatch) unwatch() {
	if s == nil || s.w == nil {
		return
	}
	s.w.Unwatch()
}

// reloadQuiet is how long the manifest's directory must be still after an edit
// before it is read: an editor's save is a burst of events, and reading it in the
// middle would see half a file.
const reloadQuiet = 30 * time.Millisecond

// removalQuiet is how long the manifest must not have changed before an edit
// that lacks a module's block removes the module. A save that comes in pieces (a
// paste into `cat >`, a copy over a slow link) is whole by then: its first piece
// must not stop the modules its last piece keeps. Additions and changes do not
// wait; they cannot lose anything the operator decided.
const removalQuiet = time.Second

// reloadCause is what asked for a reload; it decides what the reload may do.
// The causes are ordered: requests merged while a load runs take the strongest.
type reloadCause int

const (
	byEdit     reloadCause = iota // a save was seen: removals wait until the file is quiet
	bySettled                     // the file has been quiet for removalQuiet: pending removals apply
	byOperator                    // HUP, `r`, svman reload: the whole file applies at once
)

// reload applies a manifest the loader read again (loader.go); an invalid
// manifest changes nothing. It returns the manifest now in force, and whether
// removals are pending (pending is the value before). A reload the operator
// asked for (HUP, `r`, svman reload) always runs and reports, removals included;
// one that an edit triggered is skipped when the file is unchanged, empty or
// missing (those are moments inside a save, not the end of one), and holds its
// removals back until the file has been quiet for removalQuiet (bySettled).
// The metrics count each reload that runs by its result, and follow the
// modules and the textfile of the manifest in force; the alarms take its smtp
// block, the control API its api block (SetTCP). It returns too the plan
// applied, and what went wrong: an invalid manifest (api.ErrReloadRefused) or
// what the engine could not apply.
func reload(sv *supervision, cur *manifest.Manifest, pending bool, r loaded, console *logmux.Console) (*manifest.Manifest, bool, engine.Plan, error) {
	e, obs := sv.engine, sv.metrics
	next, err := r.m, r.err
	if next == nil && err == nil {
		return cur, pending, engine.Plan{}, nil // skipped by loadForReload
	}
	if err != nil {
		var buf bytes.Buffer
		printLoadError(&buf, err, false)
		console.Systemf("reload: %s is not valid; keeping the running configuration", cur.Path)
		console.Systemf("%s", strings.TrimRight(buf.String(), "\n"))
		obs.Reloaded("invalid")
		return cur, pending, engine.Plan{}, fmt.Errorf("%w:\n%s", api.ErrReloadRefused, strings.TrimRight(buf.String(), "\n"))
	}
	if r.cause == byEdit && next.Digest == cur.Digest {
		return cur, pending, engine.Plan{}, nil
	}
	apply := engine.ApplyOptions{
		HoldRemovals: r.cause == byEdit,
		// The plan is printed before any of it is carried out, so it precedes the
		// events it announces.
		Announce: func(p engine.Plan) {
			console.Event(logmux.SystemName, "reload", "reload: "+p.String(), planFields(p)...)
		},
	}
	added := obs.Add(next.Modules) // before their first events
	plan, err := e.ApplyWith(next, apply)
	if err != nil && !plan.Changes() {
		console.Systemf("reload: %v", err)
		obs.Forget(added)
		obs.Reloaded("failed")
		return cur, pending, plan, err
	}
	obs.Forget(plan.Remove)
	if err != nil {
		console.Systemf("reload: %v", err)
		obs.Reloaded("partial")
		obs.Forget(unsupervised(next.StatusDir, added)) // those the engine could not take up
	} else {
		obs.Reloaded("applied")
	}
	if next.Metrics != cur.Metrics {
		obs.SetTextfile(next.Metrics.Textfile)
	}
	sv.alarms.SetSMTP(alarmSMTP(next.SMTP))
	_ = sv.api.Load().SetTCP(next.API) // it says on the console what changed, or why it could not
	pruneScale(next, console)
	return next, len(plan.Pending) > 0, plan, err
}
