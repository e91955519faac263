package main

import (
	"fmt"
	"time"
)

// figIdle: CPU time and context switches of the supervising processes over a
// quiet period with 100 modules that do nothing.
func figIdle(env *benchEnv, peers []peerInfo, period time.Duration) *section {
	s := &section{
		title:  "3. Idle cost",
		intro:  fmt.Sprintf("CPU time and context switches (voluntary and involuntary, every thread: each is a wake-up) of the supervising processes over %v with 100 idle `sleep` modules, after %v to settle.", period, settle),
		header: []string{"tool", "CPU", "context switches", "wake-ups/s"},
	}
	s.listFor(peers)
	for _, pi := range peers {
		if pi.skip != nil {
			s.skip(pi.p.name(), pi.skip)
			continue
		}
		progress("idle: %s", pi.p.name())
		cpu, cs, err := measureIdle(env, pi.p, period)
		if err != nil {
			s.skip(pi.p.name(), err)
			continue
		}
		s.add(pi.p.name(), fmt.Sprintf("%.2f s", cpu), itoa(cs), fmt.Sprintf("%.1f", float64(cs)/period.Seconds()))
	}
	return s
}

func measureIdle(env *benchEnv, p peer, period time.Duration) (cpu float64, switches int, err error) {
	r, err := startRun(env, p, 100, 100, sleepArgv, nil)
	if err != nil {
		return 0, 0, err
	}
	defer r.close()
	time.Sleep(settle)
	pids := r.supervisors()
	cpu0, cs0 := cpuSeconds(pids), contextSwitches(pids)
	time.Sleep(period)
	cpu, switches = cpuSeconds(pids)-cpu0, contextSwitches(pids)-cs0
	_, err = r.shutdown(30 * time.Second)
	return cpu, switches, err
}
