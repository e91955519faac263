package main

import (
	"fmt"
	"time"
)

// figScale: the largest N svman supervises here, trying larger N until one fails
// or the last is reached; its start time and memory at each.
func figScale(env *benchEnv, sv peerInfo, sizes []int) *section {
	s := &section{
		title:  "8. Scale",
		intro:  "svman with N `sleep` modules: the time from launch until all N have exec'd, its memory once they run, and the time to stop them all. Larger N are tried until one fails.",
		header: []string{"N", "start", "RSS", "PSS", "PSS per module", "stop"},
	}
	if sv.skip != nil {
		s.skip("svman", sv.skip)
		return s
	}
	largest := 0
	try := func(n int) bool {
		progress("scale: svman, %d modules", n)
		start, rss, pss, stop, err := measureScale(env, sv.p, n)
		if err != nil {
			s.add(itoa(n), "failed: "+err.Error(), "–", "–", "–", "–")
			return false
		}
		largest = n
		s.add(itoa(n), ms(float64(start)/1e6), mb(float64(rss)), mb(float64(pss)), kb(float64(pss)/float64(n)), ms(float64(stop)/1e6))
		return true
	}
	for _, n := range sizes {
		if try(n) {
			continue
		}
		// Narrow down the largest N between the last success and this failure.
		lo, hi := largest, n
		for range 3 {
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
	s.notes = append(s.notes, fmt.Sprintf("Largest N supervised: %d.", largest))
	return s
}

func measureScale(env *benchEnv, p peer, n int) (start time.Duration, rss, pss int64, stop time.Duration, err error) {
	r, err := startRun(env, p, n, n, sleepArgv, nil)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer r.close()
	last := r.t.lastExec()
	start = time.Duration(last - r.started)
	time.Sleep(settle)
	rss, pss = memory(r.supervisors())
	stop, err = r.shutdown(120 * time.Second)
	return start, rss, pss, stop, err
}
