package engine

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/manifest"
	"svman/statusfs"
)

// The rule for a module added again: only a failed module, one taken down with
// d, or one released with x keeps its state, and only while its block is unchanged.
func TestKeeps(t *testing.T) {
	down := statusfs.WantDown
	tests := []struct {
		name string
		st   statusfs.State
		want statusfs.Want
		same bool
		kept string
	}{
		{"failed, same block", statusfs.State{State: statusfs.RunFailed, Reason: statusfs.DownByPolicy}, down, true, "failed"},
		{"failed, then d", statusfs.State{State: statusfs.RunFailed, Reason: statusfs.DownByOperator}, down, true, "failed"},
		{"down by d, same block", statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByOperator}, down, true, "down by d"},
		{"failed, block changed", statusfs.State{State: statusfs.RunFailed, Reason: statusfs.DownByPolicy}, down, false, ""},
		{"down by d, block changed", statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByOperator}, down, false, ""},
		{"down by removal", statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByRemoval}, down, true, ""},
		{"down by policy (never)", statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByPolicy}, down, true, ""},
		{"released with x", statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByRelease}, down, true, "released"},
		{"released with x while wanted up", statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByRelease}, statusfs.WantUp, true, "released"},
		{"released with x, block changed", statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByRelease}, down, false, ""},
		{"autostart false", statusfs.State{State: statusfs.RunDown}, down, true, ""},
		{"up when svman died", statusfs.State{State: statusfs.RunUp}, statusfs.WantUp, true, ""},
		{"backoff", statusfs.State{State: statusfs.RunBackoff}, statusfs.WantUp, true, ""},
		{"state.json says d, status says u", statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByOperator}, statusfs.WantUp, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := keeps(tt.st, tt.want, tt.same)
			if got != tt.kept || ok != (tt.kept != "") {
				t.Errorf("keeps = %q, %v; want %q", got, ok, tt.kept)
			}
		})
	}
}

// A module taken down with d and one svman gave up on, removed and then added
// again with the same blocks, stay down and failed; a running one removed and
// added again starts; once its block changes, the one taken down starts too.
func TestReaddedModuleKeepsWhatWasDecided(t *testing.T) {
	h := newHarness(t)
	held := h.module("held", "showenv", nil)
	flaky := h.shModule("flaky", "exit 3")
	flaky.Restart.Delay = 10 * time.Millisecond
	flaky.Alarm = manifest.Alarm{Interval: time.Hour, MaxTries: 1}
	other := h.module("other", "showenv", nil)
	h.apply(held, flaky, other)
	h.waitUp("held")
	h.waitUp("other")
	if err := statusfs.SendControl(filepath.Join(h.status, "held"), []byte("d")); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "held down by d", func() bool {
		s, err := statusfs.ReadState(filepath.Join(h.status, "held"))
		return err == nil && s.State == statusfs.RunDown
	})
	testkit.WaitFor(t, "flaky given up on", func() bool { return h.ev.count("flaky", GaveUp) == 1 })

	h.apply(other)
	for _, name := range []string{"held", "flaky"} {
		testkit.WaitFor(t, name+" released", func() bool { return !statusfs.Supervised(filepath.Join(h.status, name)) })
	}
	if s, _ := statusfs.ReadState(filepath.Join(h.status, "held")); s.State != statusfs.RunDown || s.Reason != statusfs.DownByOperator {
		t.Errorf("held's state.json after removal = %+v, want down by the operator", s)
	}
	if s, _ := statusfs.ReadState(filepath.Join(h.status, "flaky")); s.State != statusfs.RunFailed || s.Reason != statusfs.DownByPolicy {
		t.Errorf("flaky's state.json after removal = %+v, want failed by the policy", s)
	}
	otherPID := h.pid("other")
	if got := h.apply(held).String(); got != "+1 -1 ~0 (0 unchanged): +held (kept: down by d) -other" {
		t.Errorf("plan = %q", got)
	}
	testkit.WaitFor(t, "other released", func() bool { return !statusfs.Supervised(filepath.Join(h.status, "other")) })
	if s, _ := statusfs.ReadState(filepath.Join(h.status, "other")); s.State != statusfs.RunDown || s.Reason != statusfs.DownByRemoval {
		t.Errorf("other's state.json after removal = %+v, want down by removal", s)
	}

	startedBefore := h.ev.count("held", Started) + h.ev.count("flaky", Started)
	plan := h.apply(held, flaky, other)
	if got := plan.String(); got != "+2 -0 ~0 (1 unchanged): +flaky (kept: failed) +other" {
		t.Errorf("plan = %q", got)
	}
	// Apply returns once each added module's start was attempted or its status written.
	if n := h.ev.count("held", Started) + h.ev.count("flaky", Started); n != startedBefore {
		t.Errorf("held or flaky started again after coming back unchanged (%d starts, were %d)", n, startedBefore)
	}
	for _, name := range []string{"held", "flaky"} {
		dir := filepath.Join(h.status, name)
		if st, err := statusfs.ReadStatus(dir); err != nil || st.PID != 0 || st.Want != statusfs.WantDown || !statusfs.Supervised(dir) {
			t.Errorf("%s: status %+v (%v), supervised %v; want supervised, pid 0, want d", name, st, err, statusfs.Supervised(dir))
		}
	}
	if s, _ := statusfs.ReadState(filepath.Join(h.status, "flaky")); s.State != statusfs.RunFailed {
		t.Errorf("flaky's state.json = %+v, want failed", s)
	}
	if h.waitUp("other") == otherPID {
		t.Error("other kept a pid across its removal")
	}

	// A changed block starts, per its autostart.
	plan = h.apply(h.module("held", "showenv", map[string]string{"VALUE": "new"}), flaky, other)
	if got := plan.String(); got != "+0 -0 ~1 (2 unchanged): ~held (env (VALUE))" {
		t.Errorf("plan = %q", got)
	}
	h.waitUp("held")
	testkit.WaitFor(t, "held's new child", func() bool { return h.out.has("held: VALUE=new") })
}

// A module released with x, whose block is removed and later added again
// unchanged, stays released; once its block changes, it is supervised again
// (here with autostart false: down, and state.json says so).
func TestReaddedReleasedModuleStaysReleased(t *testing.T) {
	h := newHarness(t)
	a, r := h.module("a", "showenv", nil), h.module("r", "showenv", nil)
	h.apply(a, r)
	h.waitUp("a")
	pr := h.waitUp("r")
	dir := filepath.Join(h.status, "r")
	if err := statusfs.SendControl(dir, []byte("x")); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "x received", func() bool { return h.ev.count("r", Command) == 1 })
	syscall.Kill(pr, syscall.SIGTERM) // x waits for the child to end
	h.waitEnded("r")
	if s, err := statusfs.ReadState(dir); err != nil || s.State != statusfs.RunDown || s.Reason != statusfs.DownByRelease {
		t.Errorf("r's state.json after x = %+v, %v; want down, released", s, err)
	}

	if got := h.apply(a).String(); got != "+0 -0 ~0 (1 unchanged)" {
		t.Errorf("plan without r = %q", got)
	}
	if got := h.apply(a, r).String(); got != "+0 -0 ~0 (2 unchanged); r stays released" {
		t.Errorf("plan with r back = %q", got)
	}
	if statusfs.Supervised(dir) || h.pid("r") != 0 {
		t.Error("r, released with x, is supervised again after its block went and came back")
	}
	if got := h.apply(a, r).String(); got != "+0 -0 ~0 (1 unchanged)" {
		t.Errorf("plan of the next reload = %q", got)
	}
	changed := h.module("r", "showenv", map[string]string{"VALUE": "new"})
	changed.Autostart = false
	if got := h.apply(a, changed).String(); got != "+1 -0 ~0 (1 unchanged): +r" {
		t.Errorf("plan with r changed = %q", got)
	}
	// Supervised again, down per its autostart, and state.json no longer says released.
	if s, err := statusfs.ReadState(dir); !statusfs.Supervised(dir) || err != nil || s.State != statusfs.RunDown || s.Reason != statusfs.NoReason {
		t.Errorf("r with a changed block: supervised %v, state.json %+v (%v); want supervised, down, no reason", statusfs.Supervised(dir), s, err)
	}
	if err := statusfs.SendControl(dir, []byte("u")); err != nil {
		t.Fatal(err)
	}
	h.waitUp("r")
}

// waitEnded waits until the supervision of name has ended (`x`) as the engine
// sees it: its supervisor is done, which the next Apply takes for a release. (The
// lock is released a moment before.)
func (h *harness) waitEnded(name string) {
	h.t.Helper()
	testkit.WaitFor(h.t, name+"'s supervision ended", func() bool {
		ended := false
		if err := h.e.do(func() { s := h.e.sups[name]; ended = s == nil || isClosed(s.done) }); err != nil {
			h.t.Fatal(err)
		}
		return ended
	})
}
