package main

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"time"
)

// Repeated kills of one module: users' incidents (the OOM killer, a bug under
// load, an operator's kill -9) hit the same module again and again.
const (
	// sameUptime is the least run before each kill: past every tool's "it died at
	// once" threshold (1 s), so a restart at once is right every time.
	sameUptime = 2 * time.Second
	// sameJitter is the most added to sameUptime, a different amount each kill.
	sameJitter = 250 * time.Millisecond
	// sameAnswer is how soon a replacement must exec for its kill to count as
	// answered: before the next kill of the series is due.
	sameAnswer = sameUptime
	// sameGiveUp ends a series whose module was not replaced this long after a kill.
	sameGiveUp = 10 * time.Second
)

// sameResult is one tool's series of kills of one module.
type sameResult struct {
	answered int    // kills whose replacement exec'd within sameAnswer
	latency  sample // kill → replacement exec'd, ms, for every kill replaced within sameGiveUp
	stopped  string // why the series ended early, or ""
}

// figRestartSame: one `sleep` module, killed with SIGKILL `kills` times, each kill
// sameUptime plus up to sameJitter after its replacement exec'd; how many kills
// were answered within sameAnswer, and how fast.
func figRestartSame(env *benchEnv, peers []peerInfo, kills int) *section {
	s := &section{
		title: "1b. Restart latency, the same module killed again and again",
		intro: fmt.Sprintf("One `sleep` module is killed with SIGKILL %d times, each kill %v to %v after its replacement exec'd, as in users' incidents. "+
			"Answered: the replacement exec'd within %v of the kill (before the next kill is due); the latencies are from the kill to the replacement's exec (the kernel's exec event), for every kill replaced within %v. "+
			"Every tool gets the same sequence of intervals. Ratios: svman's median ÷ the tool's median, svman's p90 ÷ the tool's p90 (nearest rank; below 1: svman is faster).",
			kills, sameUptime, sameUptime+sameJitter, sameAnswer, sameGiveUp),
		header: []string{"tool", "answered", "median", "p90", "p99", "max", "svman ÷ tool, median", "svman ÷ tool, p90"},
	}
	s.listFor(peers)
	res := measurePeers(s, peers, "restart, same module", func(p peer) (sameResult, error) { return measureRestartSame(env, p, kills) })
	sv := res["svman"]
	for _, pi := range peers {
		got, ok := res[pi.p.name()]
		if !ok {
			continue
		}
		answered := fmt.Sprintf("%d of %d", got.answered, kills)
		if got.stopped != "" {
			answered += " (" + got.stopped + ")"
		}
		if len(got.latency) == 0 {
			s.add(pi.p.name(), answered, "–", "–", "–", "–", "–", "–")
			continue
		}
		s.add(append([]string{pi.p.name(), answered, ms(got.latency.median()), ms(got.latency.quantile(0.9)),
			ms(got.latency.quantile(0.99)), ms(got.latency.quantile(1))}, quantileRatios(sv.latency, got.latency, 0.5, 0.9)...)...)
	}
	s.notes = append(s.notes, forkLoopNote)
	return s
}

func measureRestartSame(env *benchEnv, p peer, kills int) (sameResult, error) {
	var res sameResult
	r, err := startRun(env, p, 1, 1, sleepArgv, nil)
	if err != nil {
		return res, err
	}
	defer r.close()
	if r.noRestart {
		return res, fmt.Errorf("does not restart what dies")
	}
	jitter := rand.New(rand.NewPCG(12, 2)) // the same intervals for every tool
	for k := range kills {
		pid, at := r.t.current(0)
		uptime := sameUptime + time.Duration(jitter.Int64N(int64(sameJitter)))
		if wait := uptime - time.Duration(monotonicNow()-at); wait > 0 {
			time.Sleep(wait) // the figure's own condition: the module has run that long
		}
		t0 := monotonicNow()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			return res, fmt.Errorf("kill %d: %w", pid, err)
		}
		if !r.t.wait(sameGiveUp, func() bool { return r.t.pid[0] != pid }) {
			res.stopped = fmt.Sprintf("kill %d not answered within %v: series ended", k+1, sameGiveUp)
			break
		}
		_, at = r.t.current(0)
		took := time.Duration(at - t0)
		if took <= sameAnswer {
			res.answered++
		}
		res.latency = append(res.latency, float64(took)/1e6)
		if verbose {
			progress("restart, same module: %s: kill %d: %.2f ms", p.name(), k+1, res.latency[len(res.latency)-1])
		}
	}
	if _, err := r.shutdown(30 * time.Second); err != nil {
		return res, err
	}
	return res, nil
}
