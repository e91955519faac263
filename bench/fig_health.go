package main

import (
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"
)

// healthEvery is the health figure's interval between two checks of a module.
const healthEvery = 10 * time.Second

// healthResult is one tool's health figure.
type healthResult struct {
	with, without float64 // CPU seconds over the period
	checks        int64   // connections the shared listener accepted over it
}

// figHealth: the CPU the supervising processes use over period with n `sleep`
// modules, each with a TCP health check every 10 s, and with the same modules
// without checks, in the same run.
func figHealth(env *benchEnv, peers []peerInfo, n int, period time.Duration) *section {
	s := &section{
		title: "10. Health checks' CPU",
		intro: fmt.Sprintf("CPU time (user + system) of the supervising processes over %v, as a share of one core, with %d idle `sleep` modules, each checked every %v against one TCP listener the harness runs (all the modules' checks go to that one port); "+
			"then the same modules without health checks, as the baseline. Measured after the modules started and %v to settle. Checks: the connections the listener accepted over the %v, of those due. Ratio: svman's CPU with checks ÷ the tool's.",
			period, n, healthEvery, settle, period),
		header: []string{"tool", "CPU with checks", "without", "the checks' cost", "checks", "svman ÷ tool"},
	}
	expected := int64(n) * int64(period/healthEvery)
	probing, others := probingPeers(peers)
	s.listFor(probing)
	if len(others) > 0 {
		s.notes = append(s.notes, "Not measured, having no health checks: "+strings.Join(others, ", ")+".")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		for _, pi := range probing {
			s.skip(pi.p.name(), err)
		}
		return s
	}
	defer ln.Close()
	var accepted atomic.Int64
	go func() { _ = serveOK(ln, &accepted) }()
	addr := ln.Addr().String()
	res := measurePeers(s, probing, "health CPU", func(p peer) (healthResult, error) {
		var hr healthResult
		var err error
		if hr.with, hr.checks, err = measureHealthCPU(env, p, n, addr, &accepted, period); err != nil {
			return hr, err
		}
		hr.without, _, err = measureHealthCPU(env, p, n, "", &accepted, period)
		return hr, err
	})
	pct := func(cpu float64) string { return fmt.Sprintf("%.2f%%", 100*cpu/period.Seconds()) }
	sv, svOK := res["svman"]
	for _, pi := range probing {
		hr, ok := res[pi.p.name()]
		if !ok {
			continue
		}
		rt := "–"
		if svOK {
			rt = ratio(sv.with, hr.with)
		}
		s.add(pi.p.name(), pct(hr.with), pct(hr.without), pct(hr.with-hr.without), fmt.Sprintf("%d of %d", hr.checks, expected), rt)
	}
	for _, pi := range probing {
		s.notes = append(s.notes, pi.p.(probingPeer).probeNote()+".")
	}
	s.notes = append(s.notes, fmt.Sprintf("CPU time is counted in ticks of %d ms: over %v one tick is %.3f%% of a core.", 1000/clockTicks, period, 100/(float64(clockTicks)*period.Seconds())))
	return s
}

// measureHealthCPU runs n `sleep` modules under p, each with a health check of
// addr every healthEvery (none if addr is empty), and returns the CPU seconds
// its supervising processes used over period, once settled, and how much
// accepted (addr's count of connections) grew over it.
func measureHealthCPU(env *benchEnv, p peer, n int, addr string, accepted *atomic.Int64, period time.Duration) (cpu float64, checks int64, err error) {
	r, err := startRunOf(env, p, n, n, func(i, marker int) module {
		m := module{name: moduleName(i), argv: sleepArgv(marker)}
		if addr != "" {
			m.healthTCP, m.healthEvery = addr, healthEvery
		}
		return m
	}, nil)
	if err != nil {
		return 0, 0, err
	}
	defer r.close()
	time.Sleep(settle)
	pids := r.supervisors()
	cpu0, checks0 := cpuSeconds(pids), accepted.Load()
	time.Sleep(period)
	cpu, checks = cpuSeconds(pids)-cpu0, accepted.Load()-checks0
	if verbose {
		progress("health CPU: %s, checks %v: %.2f s, %d checks", p.name(), addr != "", cpu, checks)
	}
	_, err = r.shutdown(60 * time.Second)
	return cpu, checks, err
}
