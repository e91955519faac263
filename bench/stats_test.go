package main

import (
	"math"
	"slices"
	"testing"
)

func TestQuantile(t *testing.T) {
	s := sample{5, 1, 4, 2, 3}
	for _, c := range []struct {
		q    float64
		want float64
	}{{0, 1}, {0.5, 3}, {0.99, 5}, {1, 5}} {
		if got := s.quantile(c.q); got != c.want {
			t.Errorf("quantile(%v) of %v = %v, want %v", c.q, s, got, c.want)
		}
	}
}

func TestRatio(t *testing.T) {
	for _, c := range []struct {
		svman, peer float64
		want        string
	}{{1, 3, "0.33×"}, {30, 1, "30×"}, {1, 0, "–"}, {1, 100, "0.010×"}} {
		if got := ratio(c.svman, c.peer); got != c.want {
			t.Errorf("ratio(%v, %v) = %q, want %q", c.svman, c.peer, got, c.want)
		}
	}
}

func TestParseMarker(t *testing.T) {
	for _, c := range []struct {
		cmdline string
		want    int
		ok      bool
	}{
		{"sleep\x00107\x00", 7, true},
		{"/usr/bin/sleep\x00100\x00", 0, true},
		{"sleep\x00110\x00", 0, false}, // past the last module
		{"/bin/sh\x00-c\x00sleep 107\x00", 0, false},
		{"/x/bench\x00emit\x00103\x0010\x00", 3, true},
		{"/x/bench\x00listen\x00104\x0041000\x00/tmp/r\x00", 4, true},
		{"sleep\x00", 0, false},
	} {
		got, ok := parseMarker([]byte(c.cmdline), 100, 10)
		if got != c.want || ok != c.ok {
			t.Errorf("parseMarker(%q) = %d, %v; want %d, %v", c.cmdline, got, ok, c.want, c.ok)
		}
	}
}

func TestLineCounter(t *testing.T) {
	const base = 2_000_000
	c := newLineCounter(base, 2, 3)
	line := emitLine(nil, base+1, 2)
	c.line(append([]byte("15:04:05 m00001 | "), line...))
	c.line(append([]byte("2026-11-24T15:04:05.000Z "), line...)) // the same line again: not counted twice
	c.line(line[:40])                                            // a piece
	c.line(emitLine(nil, base+2, 0))                             // not a module of the run
	c.line([]byte("svman: something else\n"))                    // not an emitted line at all
	if whole, bad := c.result(); whole != 1 || bad != 2 {
		t.Errorf("whole, bad = %d, %d; want 1, 2", whole, bad)
	}
	for m := range 2 {
		for seq := range 3 {
			c.line(emitLine(nil, base+m, seq))
		}
	}
	if whole, bad := c.result(); whole != 6 || bad != 2 {
		t.Errorf("after every line, whole, bad = %d, %d; want 6, 2", whole, bad)
	}
}

func TestQuantileRatios(t *testing.T) {
	sv := sample{1, 2, 3, 4, 10}  // median 3, p90 10
	tool := sample{6, 6, 6, 6, 6} // median 6, p90 6
	got := quantileRatios(sv, tool, 0.5, 0.9)
	if want := []string{"0.50×", "1.67×"}; !slices.Equal(got, want) {
		t.Errorf("quantileRatios(%v, %v, 0.5, 0.9) = %q, want %q", sv, tool, got, want)
	}
	if got := quantileRatios(sv, nil, 0.5); got[0] != "–" {
		t.Errorf("against an empty sample: %q, want –", got)
	}
}

func TestBestPeer(t *testing.T) {
	tools := []string{"svman", "svman (before)", "daemontools", "s6", "goreman", forkLoopName}
	values := map[string]float64{
		"svman": 100, "svman (before)": 50, // svman's own rows are no peers
		"daemontools": 200, "s6": 150, "goreman": 150, // a tie: the first listed
		forkLoopName: 10, // nor is the baseline
	}
	if name, v, ok := bestPeer(tools, values); name != "s6" || v != 150 || !ok {
		t.Errorf("bestPeer = %q, %v, %v; want s6, 150, true", name, v, ok)
	}
	want := "svman ÷ the best peer, median: 100 ms ÷ 150 ms (s6) = 0.67×."
	if got := bestPeerNote("median", tools, values, ms); got != want {
		t.Errorf("bestPeerNote = %q, want %q", got, want)
	}
	onlySvman := map[string]float64{"svman": 1, "svman (before)": 2}
	if _, _, ok := bestPeer(tools, onlySvman); ok {
		t.Error("bestPeer found a peer where only svman was measured")
	}
	if got, want := bestPeerNote("median", tools, onlySvman, ms), "svman ÷ the best peer, median: – (no peer measured)."; got != want {
		t.Errorf("bestPeerNote with no peer = %q, want %q", got, want)
	}
}

func TestLeastSquares(t *testing.T) {
	// start = 0.2 ms per module + 50 ms, measured with noise that cancels out.
	x := []float64{100, 1000, 3000}
	y := []float64{70 + 1, 250 - 2, 650 + 1}
	slope, intercept, ok := leastSquares(x, y)
	if !ok || math.Abs(slope-0.2) > 0.001 || math.Abs(intercept-50) > 1 {
		t.Errorf("leastSquares(%v, %v) = %v, %v, %v; want about 0.2, 50, true", x, y, slope, intercept, ok)
	}
	if _, _, ok := leastSquares([]float64{1000}, []float64{5}); ok {
		t.Error("one point gave a slope")
	}
	if _, _, ok := leastSquares([]float64{1000, 1000}, []float64{5, 6}); ok {
		t.Error("two points at the same x gave a slope")
	}
}
