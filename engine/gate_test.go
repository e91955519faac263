package engine

import (
	"testing"
	"time"

	"svman/manifest"
	"svman/statusfs"
)

func TestGateOf(t *testing.T) {
	running := phase{wanted: true, running: true, starts: 1}
	ready := phase{wanted: true, running: true, ready: true, starts: 1}
	healthy := phase{wanted: true, running: true, ready: true, healthy: true, starts: 1}
	completed := phase{completed: true, downBy: statusfs.DownByPolicy, starts: 1}
	failed := phase{failed: true, downBy: statusfs.DownByPolicy, starts: 3}
	operator := phase{downBy: statusfs.DownByOperator, starts: 1}
	for _, tc := range []struct {
		name    string
		deps    map[string]manifest.Condition
		phases  map[string]phase
		open    bool
		why     string
		blocked bool
	}{
		{"started by a running module", map[string]manifest.Condition{"db": "started"}, map[string]phase{"db": running}, true, "", false},
		{"ready needs ready", map[string]manifest.Condition{"db": "ready"}, map[string]phase{"db": running}, false, "db not ready", false},
		{"ready by a ready module", map[string]manifest.Condition{"db": "ready"}, map[string]phase{"db": ready}, true, "", false},
		{"healthy needs a passed check", map[string]manifest.Condition{"db": "healthy"}, map[string]phase{"db": ready}, false, "db not healthy", false},
		{"healthy", map[string]manifest.Condition{"db": "healthy"}, map[string]phase{"db": healthy}, true, "", false},
		{"completed while it runs", map[string]manifest.Condition{"m": "completed"}, map[string]phase{"m": running}, false, "m not completed", false},
		{"a completed one-shot satisfies every condition", map[string]manifest.Condition{"m": "completed", "n": "ready"}, map[string]phase{"m": completed, "n": completed}, true, "", false},
		{"a failed dependency blocks", map[string]manifest.Condition{"db": "ready"}, map[string]phase{"db": failed}, false, "db failed", true},
		{"a dependency taken down blocks", map[string]manifest.Condition{"db": "ready"}, map[string]phase{"db": operator}, false, "db down (operator)", true},
		{"a one-shot that failed blocks", map[string]manifest.Condition{"m": "completed"}, map[string]phase{"m": {downBy: statusfs.DownByPolicy}}, false, "m did not complete", true},
		{"an unknown module blocks", map[string]manifest.Condition{"db": "ready"}, nil, false, "db not supervised", true},
		{"a waiting dependency", map[string]manifest.Condition{"db": "ready"}, map[string]phase{"db": {wanted: true, waiting: true}}, false, "db waiting", false},
		{"every unmet one is named, in order", map[string]manifest.Condition{"b": "ready", "a": "ready"}, map[string]phase{"a": running, "b": failed}, false, "a not ready, b failed", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := gateOf(tc.deps, tc.phases)
			if g.open != tc.open || g.why != tc.why || g.blocked != tc.blocked {
				t.Errorf("gate %+v, want open %v, why %q, blocked %v", g, tc.open, tc.why, tc.blocked)
			}
		})
	}
	// A dependency started again changes the epoch of an open gate.
	deps := map[string]manifest.Condition{"db": "started"}
	before := gateOf(deps, map[string]phase{"db": running})
	again := running
	again.starts++
	if after := gateOf(deps, map[string]phase{"db": again}); !after.open || after.epoch == before.epoch {
		t.Errorf("gates %+v then %+v: a restart of db must change the epoch", before, after)
	}
}

func TestNextHealthCheck(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	for _, tc := range []struct {
		last, now time.Duration
		interval  time.Duration
		want      time.Duration
	}{
		{0, 5 * ms, 10 * time.Second, 10 * time.Second},          // a fixed rate: from when it was due, not when it ended
		{300 * ms, 310 * ms, 10 * time.Second, 10 * time.Second}, // the nearest tick of a grid of 1s
		{700 * ms, 710 * ms, 10 * time.Second, 11 * time.Second}, // ...either way
		{350 * ms, 360 * ms, time.Second, 1400 * ms},             // a grid of 100ms
		{3 * ms, 4 * ms, 50 * ms, 50 * ms},                       // a grid of 10ms at least
		{999 * ms, 1000 * ms, time.Minute, 61 * time.Second},     // a grid of 1s at most
		{0, 12500 * ms, 10 * time.Second, 13 * time.Second},      // a check slower than its interval: the next tick after now
	} {
		got := nextHealthCheck(base.Add(tc.last), base.Add(tc.now), tc.interval).Sub(base)
		if got != tc.want {
			t.Errorf("nextHealthCheck(+%v, +%v, %v) = +%v, want +%v", tc.last, tc.now, tc.interval, got, tc.want)
		}
	}
}
