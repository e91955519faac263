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
