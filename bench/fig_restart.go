package main

import (
	"fmt"
	"syscall"
	"time"
)

// restartUptime is how long a module has run before it is killed: longer than
// every peer's "it died at once" throttle, so each restarts it as a module that
// had been running fine.
const restartUptime = 2100 * time.Millisecond

// figRestart: a module up for more than 2 s is killed with SIGKILL; the time
// until its replacement has exec'd, from the kernel's exec event.
func figRestart(env *benchEnv, peers []peerInfo, kills int) *section {
	s := &section{
		title:  "1. Restart latency",
		intro:  fmt.Sprintf("A module up for more than 2 s is killed with SIGKILL; the time from the kill until its replacement has exec'd (the kernel's exec event). %d kills per tool, each of a different `sleep` module. Ratio: svman's median ÷ the tool's (below 1: svman is faster).", kills),
		header: []string{"tool", "median", "p99", "min–max", "svman ÷ tool"},
	}
	s.listFor(peers)
	res := measurePeers(s, peers, "restart", func(p peer) (sample, error) { return measureRestart(env, p, kills) })
	sv := res["svman"]
	for _, pi := range peers {
		got, ok := res[pi.p.name()]
		if !ok {
			continue
		}
		s.add(pi.p.name(), ms(got.median()), ms(got.quantile(0.99)), got.spread(ms), ratio(sv.median(), got.median()))
	}
	s.notes = append(s.notes, forkLoopNote)
	return s
}

func measureRestart(env *benchEnv, p peer, kills int) (sample, error) {
	// Each module is killed once; figRestartSame kills one module again and again.
	n := kills
	r, err := startRun(env, p, n, n, sleepArgv, nil)
	if err != nil {
		return nil, err
	}
	defer r.close()
	if r.noRestart {
		return nil, fmt.Errorf("does not restart what dies")
	}
	var got sample
	for k := range kills {
		i := k % n
		pid, at := r.t.current(i)
		if wait := restartUptime - time.Duration(monotonicNow()-at); wait > 0 {
			time.Sleep(wait) // the figure's own condition: the module has run > 2 s
		}
		t0 := monotonicNow()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			return nil, fmt.Errorf("kill %d: %w", pid, err)
		}
		if !r.t.wait(10*time.Second, func() bool { return r.t.pid[i] != pid }) {
			return nil, fmt.Errorf("module %d was not restarted within 10 s of its kill", i)
		}
		_, at = r.t.current(i)
		got = append(got, float64(at-t0)/1e6)
		if verbose {
			progress("restart: %s: kill %d of module %d: %.2f ms", p.name(), k+1, i, got[len(got)-1])
		}
	}
	if _, err := r.shutdown(30 * time.Second); err != nil {
		return nil, err
	}
	return got, nil
}
