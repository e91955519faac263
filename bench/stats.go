package main

import (
	"fmt"
	"math"
	"slices"
)

// sample is a set of measurements of one figure for one tool.
type sample []float64

// quantile is the nearest-rank q-quantile (0 ≤ q ≤ 1).
func (s sample) quantile(q float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	c := slices.Clone(s)
	slices.Sort(c)
	i := int(math.Ceil(q*float64(len(c)))) - 1
	return c[max(0, min(i, len(c)-1))]
}

func (s sample) median() float64 { return s.quantile(0.5) }

// spread is the range of the measurements, "min–max".
func (s sample) spread(format func(float64) string) string {
	return format(s.quantile(0)) + "–" + format(s.quantile(1))
}

// ratio is svman's figure divided by a peer's, as the tables print it.
func ratio(svman, peer float64) string {
	if peer == 0 || math.IsNaN(peer) || math.IsNaN(svman) {
		return "–"
	}
	r := svman / peer
	switch {
	case r >= 10:
		return fmt.Sprintf("%.0f×", r)
	case r >= 0.1:
		return fmt.Sprintf("%.2f×", r)
	default:
		return fmt.Sprintf("%.3f×", r)
	}
}

func ms(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	default:
		return fmt.Sprintf("%.2f ms", v)
	}
}

func mb(v float64) string { return fmt.Sprintf("%.1f MB", v/1e6) }

func kb(v float64) string { return fmt.Sprintf("%.1f KB", v/1e3) }

func itoa(n int) string { return fmt.Sprint(n) }

// quantileRatios is svman's q-quantile ÷ the tool's for each q, as the tables
// print them.
func quantileRatios(svman, tool sample, qs ...float64) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = ratio(svman.quantile(q), tool.quantile(q))
	}
	return out
}

// bestPeer is the peer with the lowest value in values (tool name → figure,
// lower is better), taken in the order of tools so that ties go to the first
// listed; svman's own rows and the baseline are not peers. ok is false when no
// peer has a value.
func bestPeer(tools []string, values map[string]float64) (name string, value float64, ok bool) {
	for _, t := range tools {
		v, has := values[t]
		if !has || !isPeer(t) || math.IsNaN(v) {
			continue
		}
		if !ok || v < value {
			name, value, ok = t, v, true
		}
	}
	return name, value, ok
}

// bestPeerNote states svman's figure ÷ the best peer's, format printing the
// figures.
func bestPeerNote(what string, tools []string, values map[string]float64, format func(float64) string) string {
	sv, svOK := values["svman"]
	name, best, ok := bestPeer(tools, values)
	switch {
	case !ok:
		return fmt.Sprintf("svman ÷ the best peer, %s: – (no peer measured).", what)
	case !svOK:
		return fmt.Sprintf("svman ÷ the best peer, %s: – (svman not measured).", what)
	}
	return fmt.Sprintf("svman ÷ the best peer, %s: %s ÷ %s (%s) = %s.", what, format(sv), format(best), name, ratio(sv, best))
}

// leastSquares fits y = slope·x + intercept to the points; ok is false when
// fewer than two distinct x leave the slope undefined.
func leastSquares(x, y []float64) (slope, intercept float64, ok bool) {
	n := float64(len(x))
	if len(x) != len(y) || len(x) < 2 {
		return 0, 0, false
	}
	var sx, sy float64
	for i := range x {
		sx, sy = sx+x[i], sy+y[i]
	}
	mx, my := sx/n, sy/n
	var sxx, sxy float64
	for i := range x {
		sxx += (x[i] - mx) * (x[i] - mx)
		sxy += (x[i] - mx) * (y[i] - my)
	}
	if sxx == 0 {
		return 0, 0, false
	}
	slope = sxy / sxx
	return slope, my - slope*mx, true
}
