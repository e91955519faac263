package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestSummarizeScale(t *testing.T) {
	// Start 60 ms + 0.2 ms a module; 30 files + 5 a module. Given out of order,
	// as the narrowing down measures them.
	point := func(n int) scalePoint {
		return scalePoint{n: n, start: time.Duration(60e6 + 0.2e6*float64(n)), files: 30 + 5*n}
	}
	sum := summarizeScale([]scalePoint{point(100), point(3000), point(1000), point(2000)}, 20000)
	if sum.largest != 3000 || !sum.fitted || math.Abs(sum.slope-0.2) > 1e-9 || math.Abs(sum.intercept-60) > 1e-6 {
		t.Errorf("largest %d, fitted %v, slope %v, intercept %v; want 3000, true, 0.2, 60", sum.largest, sum.fitted, sum.slope, sum.intercept)
	}
	// (660 ms ÷ 3000) ÷ (80 ms ÷ 100)
	if want := (660.0 / 3000) / (80.0 / 100); math.Abs(sum.linearity-want) > 1e-9 {
		t.Errorf("linearity %v, want %v", sum.linearity, want)
	}
	// 530 files at 100, 5 more a module: 20000 at 100 + 19470 ÷ 5 = 3994.
	if sum.filesPerModule != 5 || sum.limitN != 3994 {
		t.Errorf("files per module %v, reaching the limit at %d; want 5, 3994", sum.filesPerModule, sum.limitN)
	}
	note := scaleNote("svman", sum)
	for _, want := range []string{"largest N supervised: 3000", "N = 100, 1000, 2000, 3000", "0.200 ms per module", "× N + 60 ms", "5.00 per added module", "about N=3994"} {
		if !strings.Contains(note, want) {
			t.Errorf("the note %q does not say %q", note, want)
		}
	}

	one := summarizeScale([]scalePoint{point(100)}, 20000)
	if one.largest != 100 || one.fitted || !math.IsNaN(one.linearity) || one.limitN != 0 {
		t.Errorf("one point: %+v; want largest 100, no fit, no linearity, no limit N", one)
	}
	// Start 500 ms at 100, 1500 ms at 200: a line that crosses 0 below N=100.
	late := summarizeScale([]scalePoint{{n: 100, start: 500 * time.Millisecond}, {n: 200, start: 1500 * time.Millisecond}}, 20000)
	if note := scaleNote("svman", late); !strings.Contains(note, "10.000 ms × N − 500 ms") {
		t.Errorf("the note %q does not say 10.000 ms × N − 500 ms", note)
	}
	if note := scaleNote("svman", summarizeScale(nil, 20000)); note != "svman: no N ran." {
		t.Errorf("no point: %q", note)
	}
}

func TestScaleFloorNote(t *testing.T) {
	// svman ran at 100, 1000 and 3000; the baseline failed at 3000, so only the
	// N both ran are compared.
	svman := []scalePoint{{n: 100, start: 600 * time.Millisecond}, {n: 1000, start: 4000 * time.Millisecond}, {n: 3000, start: 13 * time.Second}}
	floor := []scalePoint{{n: 100, start: 300 * time.Millisecond}, {n: 1000, start: 3200 * time.Millisecond}}
	note := scaleFloorNote(svman, floor)
	if want := "svman's start ÷ the baseline's: N=100: 2.00×, N=1000: 1.25×."; !strings.HasSuffix(note, want) {
		t.Errorf("the note %q does not end with %q", note, want)
	}
}
