package engine

import (
	"fmt"
	"runtime"
	"testing"

	"svman/internal/testkit"
	"svman/manifest"
)

// Modules that run and say nothing cost svman no goroutine each: none waits
// for a module's events or its child's exit (run, proc.System.WatchExit), and
// a parked goroutine keeps a stack of 2 to 8 KiB for as long as it waits.
func TestIdleModulesHaveNoGoroutine(t *testing.T) {
	const n = 40
	h := newHarness(t)
	h.apply(h.module("first", "sleeper", nil))
	h.waitUp("first")
	testkit.WaitFor(t, "the first module's output read", func() bool { return h.out.has("first: ready pid=" + fmt.Sprint(h.pid("first"))) })
	before := runtime.NumGoroutine()
	mods := []manifest.Module{h.module("first", "sleeper", nil)}
	for i := range n {
		mods = append(mods, h.module(fmt.Sprintf("m%02d", i), "sleeper", nil))
	}
	h.apply(mods...)
	for _, m := range mods[1:] {
		pid := h.waitUp(m.Name)
		testkit.WaitFor(t, m.Name+"'s output read", func() bool { return h.out.has(fmt.Sprintf("%s: ready pid=%d", m.Name, pid)) })
	}
	// What a start leaves running for a while (its pumps, its last steps) ends.
	testkit.WaitFor(t, fmt.Sprintf("at most %d more goroutines for %d idle modules", n/10, n), func() bool {
		return runtime.NumGoroutine()-before <= n/10
	})
}
