package engine

import (
	"maps"
	"slices"
	"strings"

	"svman/manifest"
	"svman/statusfs"
)

// gate is what the engine tells a module with dependencies: whether they are
// what it needs (open), and if not, why (shown as "waiting: db not ready"),
// and whether they cannot become so without an operator (blocked: a
// dependency failed, or was taken down). epoch changes when a dependency is
// started again while the gate stays open: a module with
// on_dependency_restart = "restart" restarts then.
type gate struct {
	open    bool
	why     string
	blocked bool
	epoch   uint64
}

// openGate is the gate of a module without dependencies.
var openGate = gate{open: true}

// gateOf is the gate of a module that depends on deps, given the phases of the
// modules (a dependency missing from phases is not supervised).
func gateOf(deps map[string]manifest.Condition, phases map[string]phase) gate {
	g := gate{open: true}
	var whys []string
	for _, name := range slices.Sorted(maps.Keys(deps)) {
		p, known := phases[name]
		g.epoch += p.starts
		ok, why, blocked := satisfied(name, deps[name], p, known)
		if ok {
			continue
		}
		g.open = false
		g.blocked = g.blocked || blocked
		whys = append(whys, why)
	}
	if !g.open {
		g.why = strings.Join(whys, ", ")
		g.epoch = 0
	}
	return g
}

// satisfied reports whether dependency name, in phase p, meets condition c,
// and if not, why, and whether only an operator can change that.
func satisfied(name string, c manifest.Condition, p phase, known bool) (ok bool, why string, blocked bool) {
	if !known {
		return false, name + " not supervised", true
	}
	if p.held {
		return false, name + " stopping", false
	}
	switch c {
	case manifest.CondCompleted:
		if p.completed {
			return true, "", false
		}
	case manifest.CondStarted:
		if p.running || p.completed {
			return true, "", false
		}
	case manifest.CondReady:
		if p.ready || p.completed {
			return true, "", false
		}
	case manifest.CondHealthy:
		if p.healthy || p.completed {
			return true, "", false
		}
	}
	switch {
	case p.failed:
		return false, name + " failed", true
	case !p.wanted && p.downBy == statusfs.DownByOperator:
		return false, name + " down (operator)", true
	case !p.wanted && p.downBy == statusfs.DownByPolicy && c == manifest.CondCompleted:
		return false, name + " did not complete", true
	case !p.wanted && !p.running:
		return false, name + " down", true
	case p.waiting:
		return false, name + " waiting", false
	case c == manifest.CondCompleted:
		return false, name + " not completed", false
	case c == manifest.CondStarted:
		return false, name + " not started", false
	case c == manifest.CondHealthy && p.ready:
		return false, name + " not healthy", false
	}
	return false, name + " not ready", false
}
