package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// scaleNarrowing is how many more N the scale figure tries between the last N
// that ran and the first that failed.
const scaleNarrowing = 3

// figScale: the largest N each of tools (svman's binaries) supervises here,
// trying larger N until one fails; its start time, memory, open files and stop
// time at each, and how start time and open files grow with N. The baseline
// runs at every N the first tool (svman) ran, as the floor of its start times.
func figScale(env *benchEnv, tools []peerInfo, baseline peerInfo, sizes []int) *section {
	sizes = slices.Sorted(slices.Values(sizes))
	limit := fileLimit()
	intro := fmt.Sprintf("svman with N `sleep` modules, one run per N, smallest first. Start: from launching svman to the last of the N modules having exec'd (the kernel's exec event). "+
		"RSS, PSS and open files (the entries of /proc/PID/fd) are svman's process's, %v after all N exec'd; files per added module: (open files at N − at the smallest N that ran) ÷ the difference in N. "+
		"Stop: from SIGTERM to the last module and svman having exited. Larger N are tried until one fails; then %d more N between the last that ran and the failure narrow the largest N down (to a multiple of 100). "+
		"The tools' open files limit (ulimit -n) is %d. Below the table, for each binary: the least-squares line of start time over every N that ran (its slope: ms per module), "+
		"linearity: (start ÷ N) at the largest N that ran ÷ at the smallest (at most 1 when start time is linear in N: a fixed cost makes it lower), and the N at which the open files per added module reach the limit.",
		settle, scaleNarrowing, limit)
	s := &section{
		title:  "8. Scale",
		intro:  intro,
		header: []string{"tool", "N", "start", "start ÷ N", "RSS", "PSS", "PSS ÷ N", "open files", "files per added module", "stop"},
	}
	s.listFor(append(slices.Clone(tools), baseline))
	var svman []scalePoint
	for i, pi := range tools {
		if pi.skip != nil {
			s.skip(pi.p.name(), pi.skip)
			continue
		}
		points := scaleSeries(env, s, pi.p, sizes)
		if i == 0 {
			svman = points
		}
		s.notes = append(s.notes, scaleNote(pi.p.name(), summarizeScale(points, limit)))
	}
	if baseline.skip != nil {
		s.skip(baseline.p.name(), baseline.skip)
		return s
	}
	var floor []scalePoint
	for _, sv := range svman {
		progress("scale: %s, %d modules", baseline.p.name(), sv.n)
		pt, err := measureScale(env, baseline.p, sv.n)
		if err != nil {
			addScaleFailure(s, baseline.p.name(), sv.n, err)
			continue
		}
		addScaleRow(s, baseline.p.name(), pt, "–")
		floor = append(floor, pt)
	}
	if len(floor) > 0 {
		s.notes = append(s.notes, scaleFloorNote(svman, floor))
	}
	return s
}

// addScaleRow adds the row of one N that ran; perFile is the files per added
// module, or "–".
func addScaleRow(s *section, tool string, pt scalePoint, perFile string) {
	n := float64(pt.n)
	s.add(tool, itoa(pt.n), ms(float64(pt.start)/1e6), ms(float64(pt.start)/1e6/n), mb(float64(pt.rss)), mb(float64(pt.pss)),
		kb(float64(pt.pss)/n), itoa(pt.files), perFile, ms(float64(pt.stop)/1e6))
}

// addScaleFailure adds the row of an N that failed.
func addScaleFailure(s *section, tool string, n int, err error) {
	s.add(tool, itoa(n), "failed: "+err.Error(), "–", "–", "–", "–", "–", "–", "–")
}

// scaleFloorNote compares svman's start time at each N with the baseline's
// (the fork+exec loop) at the same N.
func scaleFloorNote(svman, floor []scalePoint) string {
	var parts []string
	for _, f := range floor {
		for _, sv := range svman {
			if sv.n == f.n {
				parts = append(parts, fmt.Sprintf("N=%d: %s", f.n, ratio(float64(sv.start), float64(f.start))))
			}
		}
	}
	return forkLoopName + " is the baseline, not a peer: the harness's own binary (`bench forkloop`) forks and execs the N modules one after another from one locked thread, with nothing written and nothing held open (its open files are its own few), at each N that svman ran. svman's start ÷ the baseline's: " + strings.Join(parts, ", ") + "."
}

// scaleSeries measures p at each of sizes (ascending) until one fails, then
// narrows down the largest N; it adds a row for every N tried and returns the
// points that ran.
func scaleSeries(env *benchEnv, s *section, p peer, sizes []int) []scalePoint {
	var points []scalePoint
	try := func(n int) bool {
		progress("scale: %s, %d modules", p.name(), n)
		pt, err := measureScale(env, p, n)
		if err != nil {
			addScaleFailure(s, p.name(), n, err)
			return false
		}
		points = append(points, pt)
		// Every N tried is larger than the first that ran: points[0] is the smallest.
		perFile := "–"
		if first := points[0]; pt.n > first.n {
			perFile = fmt.Sprintf("%.2f", float64(pt.files-first.files)/float64(pt.n-first.n))
		}
		addScaleRow(s, p.name(), pt, perFile)
		return true
	}
	largest := 0
	for _, n := range sizes {
		if try(n) {
			largest = n
			continue
		}
		lo, hi := largest, n
		for range scaleNarrowing {
			mid := (lo + hi) / 2 / 100 * 100
			if mid <= lo {
				break
			}
			if try(mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
		break
	}
	return points
}

// scalePoint is one N of the scale figure that ran to the end.
type scalePoint struct {
	n           int
	start, stop time.Duration
	rss, pss    int64
	files       int // descriptors the supervising processes hold once all n run
}

func measureScale(env *benchEnv, p peer, n int) (scalePoint, error) {
	pt := scalePoint{n: n}
	r, err := startRun(env, p, n, n, sleepArgv, nil)
	if err != nil {
		return pt, err
	}
	defer r.close()
	pt.start = time.Duration(r.t.lastExec() - r.started)
	time.Sleep(settle)
	sup := r.supervisors()
	pt.rss, pt.pss = memory(sup)
	pt.files = openFiles(sup)
	pt.stop, err = r.shutdown(120 * time.Second)
	return pt, err
}

// scaleSummary is what one binary's scale points say together.
type scaleSummary struct {
	ns      []int // every N that ran, ascending
	largest int   // the largest of them, 0 if none ran
	limit   uint64
	// fitted: slope (ms per module) and intercept (ms) of the least-squares
	// line of start time over N.
	fitted           bool
	slope, intercept float64
	// linearity is (start ÷ N) at the largest N ÷ at the smallest; NaN with
	// fewer than two N.
	linearity float64
	// filesPerModule is (open files at the largest N − at the smallest) ÷ the
	// difference in N; NaN with fewer than two N. limitN is the N at which the
	// open files, growing so, reach limit; 0 if they do not grow.
	filesPerModule float64
	limitN         int
}

// summarizeScale fits the points (in any order) that ran under an open files
// limit.
func summarizeScale(points []scalePoint, limit uint64) scaleSummary {
	sum := scaleSummary{limit: limit, linearity: math.NaN(), filesPerModule: math.NaN()}
	if len(points) == 0 {
		return sum
	}
	pts := slices.SortedFunc(slices.Values(points), func(a, b scalePoint) int { return a.n - b.n })
	x, y := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		sum.ns = append(sum.ns, p.n)
		x[i], y[i] = float64(p.n), float64(p.start)/1e6
	}
	first, last := pts[0], pts[len(pts)-1]
	sum.largest = last.n
	sum.slope, sum.intercept, sum.fitted = leastSquares(x, y)
	if last.n > first.n {
		sum.linearity = (float64(last.start) / float64(last.n)) / (float64(first.start) / float64(first.n))
		sum.filesPerModule = float64(last.files-first.files) / float64(last.n-first.n)
		if sum.filesPerModule > 0 && float64(limit) > float64(first.files) {
			sum.limitN = first.n + int((float64(limit)-float64(first.files))/sum.filesPerModule)
		}
	}
	return sum
}

// scaleNote is the note below the scale table for one binary.
func scaleNote(tool string, sum scaleSummary) string {
	if sum.largest == 0 {
		return fmt.Sprintf("%s: no N ran.", tool)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: largest N supervised: %d (open files limit %d).", tool, sum.largest, sum.limit)
	if !sum.fitted {
		fmt.Fprintf(&b, " Only N=%d ran: no slope, no linearity.", sum.largest)
		return b.String()
	}
	ns := make([]string, len(sum.ns))
	for i, n := range sum.ns {
		ns[i] = itoa(n)
	}
	smallest := sum.ns[0]
	sign := "+"
	if sum.intercept < 0 {
		sign = "−"
	}
	fmt.Fprintf(&b, " Start time, least squares over N = %s: %.3f ms per module (start ≈ %.3f ms × N %s %.0f ms). Linearity, (start ÷ N) at N=%d ÷ at N=%d: %.2f.",
		strings.Join(ns, ", "), sum.slope, sum.slope, sign, math.Abs(sum.intercept), sum.largest, smallest, sum.linearity)
	fmt.Fprintf(&b, " Open files: %.2f per added module from N=%d to N=%d", sum.filesPerModule, smallest, sum.largest)
	if sum.limitN > 0 {
		fmt.Fprintf(&b, ", which reach the limit of %d at about N=%d.", sum.limit, sum.limitN)
	} else {
		b.WriteString(".")
	}
	return b.String()
}
