package main

import (
	"runtime/debug"
	"testing"
)

// svman up collects garbage more often while it starts its modules, so that
// what lives on is not spread over a heap grown to twice its size, unless
// GOGC asks for less; after, the collector is as it was.
func TestStartupGCCollectsMoreOftenWhileModulesStart(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	prev := startupGC()
	if got := debug.SetGCPercent(prev); got != startupGCPercent || prev != 100 {
		t.Errorf("while starting: GOGC %d (then back to %d), want %d (then back to 100)", got, prev, startupGCPercent)
	}
	for _, lower := range []int{10, -1} { // a GOGC of 10, and off
		debug.SetGCPercent(lower)
		prev := startupGC()
		if got := debug.SetGCPercent(prev); got != lower || prev != lower {
			t.Errorf("GOGC %d: while starting %d, then back to %d; want %d throughout", lower, got, prev, lower)
		}
	}
}
