package main

import (
	"fmt"
	"time"
)

// figStartStop: cold start (launch → all 100 modules exec'd) and graceful stop
// (stop → every module and supervising process exited), over several rounds.
func figStartStop(env *benchEnv, peers []peerInfo, rounds int) (start, stop *section) {
	start = &section{
		title:  "4. Cold start",
		intro:  fmt.Sprintf("From launching the tool to the last of 100 `sleep` modules having exec'd. %d rounds. Ratio: svman's median ÷ the tool's.", rounds),
		header: []string{"tool", "median", "min–max", "svman ÷ tool"},
	}
	start.listFor(peers)
	stop = &section{
		title:  "5. Shutdown",
		intro:  fmt.Sprintf("From asking the tool to stop (SIGTERM; for daemontools and runit their documented stop: `dx` to every supervise control and SIGTERM/SIGHUP to svscan/runsvdir) to the last of the 100 modules and supervising processes having exited. %d rounds. Ratio: svman's median ÷ the tool's.", rounds),
		header: []string{"tool", "median", "min–max", "svman ÷ tool"},
	}
	stop.listFor(peers)
	type result struct{ start, stop sample }
	res := map[string]result{}
	for _, pi := range peers {
		if pi.skip != nil {
			start.skip(pi.p.name(), pi.skip)
			stop.skip(pi.p.name(), pi.skip)
			continue
		}
		progress("start/stop: %s", pi.p.name())
		var r result
		var err error
		for range rounds {
			var up, down time.Duration
			if up, down, err = measureStartStop(env, pi.p); err != nil {
				break
			}
			r.start = append(r.start, float64(up)/1e6)
			r.stop = append(r.stop, float64(down)/1e6)
		}
		if err != nil {
			start.skip(pi.p.name(), err)
			stop.skip(pi.p.name(), err)
			continue
		}
		res[pi.p.name()] = r
	}
	sv := res["svman"]
	startMedian, stopMedian := map[string]float64{}, map[string]float64{}
	for _, pi := range peers {
		r, ok := res[pi.p.name()]
		if !ok {
			continue
		}
		startMedian[pi.p.name()], stopMedian[pi.p.name()] = r.start.median(), r.stop.median()
		start.add(pi.p.name(), ms(r.start.median()), r.start.spread(ms), ratio(sv.start.median(), r.start.median()))
		stop.add(pi.p.name(), ms(r.stop.median()), r.stop.spread(ms), ratio(sv.stop.median(), r.stop.median()))
	}
	start.notes = append(start.notes, bestPeerNote("median", start.order, startMedian, ms))
	stop.notes = append(stop.notes, bestPeerNote("median", stop.order, stopMedian, ms))
	if _, ok := res[forkLoopName]; ok {
		start.notes = append(start.notes, forkLoopStartNote)
		stop.notes = append(stop.notes, forkLoopStopNote)
	}
	return start, stop
}

func measureStartStop(env *benchEnv, p peer) (up, down time.Duration, err error) {
	const n = 100
	r, err := startRun(env, p, n, n, sleepArgv, nil)
	if err != nil {
		return 0, 0, err
	}
	defer r.close()
	last := r.t.lastExec()
	up = time.Duration(last - r.started)
	time.Sleep(settle)
	down, err = r.shutdown(30 * time.Second)
	return up, down, err
}
