package main

import (
	"path/filepath"
	"time"

	"svman/manifest"
	"svman/statusfs"
)

// verdict is where a module stands for `svman wait`.
type verdict int

const (
	verdictDone    verdict = iota // ready, or a one-shot that completed
	verdictPending                // not ready yet, and may become ready by itself
	verdictStuck                  // cannot become ready until an operator acts
)

// waitRound judges modules for one round of `svman wait`: it reads each status
// directory at most once (what `svman status` reads), and knows the manifest's
// dependencies when there is a manifest.
type waitRound struct {
	m      *manifest.Manifest // nil: the dependencies are unknown
	dirs   map[string]string  // module -> its status directory
	now    time.Time
	status map[string]moduleStatus // read so far
}

func newWaitRound(m *manifest.Manifest, targets []target, now time.Time) *waitRound {
	w := &waitRound{m: m, dirs: make(map[string]string), now: now, status: make(map[string]moduleStatus)}
	if m != nil {
		for _, t := range manifestTargets(m) {
			w.dirs[t.name] = t.dir
		}
	}
	for _, t := range targets {
		w.dirs[t.name] = t.dir
	}
	return w
}

// read returns module name's status, read once a round.
func (w *waitRound) read(name string) moduleStatus {
	if r, ok := w.status[name]; ok {
		return r
	}
	r := readModuleStatus(target{name, w.dirs[name]}, w.now)
	w.status[name] = r
	return r
}

// judge returns the verdict on module name and, unless it is done, the line
// `svman wait` prints for it: "web: starting (ready probe has not passed)".
func (w *waitRound) judge(name string) (verdict, string) {
	return w.judgeDepth(name, 0)
}

// judgeDepth is judge, depth links down a chain of dependencies: a manifest
// has no cycle, but the bound keeps a broken one from looping.
func (w *waitRound) judgeDepth(name string, depth int) (verdict, string) {
	r := w.read(name)
	line := func(s string) string { return name + ": " + s }
	switch {
	case r.Ready, r.CompletedRun():
		return verdictDone, ""
	case r.State == shownNotSupervised:
		return verdictPending, line("not supervised (no svman holds " + filepath.Join(w.dirs[name], "lock") + ")")
	case r.State == shownReleased, r.State == shownFailed:
		return verdictStuck, line(string(r.State))
	case r.State == shownDown && r.Reason == statusfs.DownByOperator.String(),
		r.State == shownDown && r.Reason == statusfs.DownByPolicy.String():
		return verdictStuck, line("down (" + r.Reason + ")")
	case r.State == shownDown && r.Reason != "":
		return verdictPending, line("down (" + r.Reason + ")")
	case r.State == shownWaiting:
		if w.dependencyStuck(name, r, depth) {
			return verdictStuck, line(r.Text)
		}
		return verdictPending, line(r.Text)
	case r.Starting():
		return verdictPending, line("starting (ready probe has not passed)")
	case r.State == shownUp && r.Error == "":
		return verdictPending, line("up, not known to be ready (state.json does not say so)")
	}
	return verdictPending, line(r.Text)
}

// dependencyStuck reports whether module name, waiting (r), waits for a
// dependency that cannot become what it needs until an operator acts, as
// its state.json says (blocked), or one the manifest names that is itself
// stuck.
func (w *waitRound) dependencyStuck(name string, r moduleStatus, depth int) bool {
	if r.Blocked {
		return true
	}
	if w.m == nil || depth > len(w.m.Modules) {
		return false
	}
	for _, mod := range w.m.Modules {
		if mod.Name != name {
			continue
		}
		for dep := range mod.DependsOn {
			if v, _ := w.judgeDepth(dep, depth+1); v == verdictStuck {
				return true
			}
		}
	}
	return false
}
