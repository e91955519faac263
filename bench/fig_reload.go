package main

import (
	"fmt"
	"time"
)

// figReload: with 100 modules running, the configuration gains one module; the
// time from the change until the new module has exec'd.
func figReload(env *benchEnv, peers []peerInfo, rounds int) *section {
	s := &section{
		title:  "7. Reload latency",
		intro:  fmt.Sprintf("100 modules run; the configuration gains one module; the time from the change until the new module has exec'd. svman: the manifest is saved (a new file renamed over it) and svman notices by itself; process-compose: `process-compose project update -f` (the time includes that client's run). %d rounds, one more module each. Ratio: svman's median ÷ the tool's.", rounds),
		header: []string{"tool", "how", "median", "min–max", "svman ÷ tool"},
	}
	s.listFor(peers)
	how := map[string]string{"svman": "save the manifest", "process-compose": "`project update`"}
	res := map[string]sample{}
	for _, pi := range peers {
		if how[pi.p.name()] == "" {
			continue
		}
		if pi.skip != nil {
			s.skip(pi.p.name(), pi.skip)
			continue
		}
		progress("reload: %s", pi.p.name())
		got, note, err := measureReload(env, pi.p, rounds)
		if note != "" {
			s.notes = append(s.notes, pi.p.name()+": "+note)
		}
		if err != nil {
			s.skip(pi.p.name(), err)
			continue
		}
		res[pi.p.name()] = got
	}
	for _, pi := range peers {
		if got, ok := res[pi.p.name()]; ok {
			s.add(pi.p.name(), how[pi.p.name()], ms(got.median()), got.spread(ms), ratio(res["svman"].median(), got.median()))
		}
	}
	s.notes = append(s.notes, "daemontools, runit and s6 pick up a new service folder at their next scan (svscan every 5 s, runsvdir every 5 s, s6-svscan on `s6-svscanctl -a`); supervisord needs `supervisorctl update`; goreman cannot add a process without a restart. They are not in this table.")
	return s
}

func measureReload(env *benchEnv, p peer, rounds int) (got sample, note string, err error) {
	const n = 100
	r, err := startRun(env, p, n, n+rounds, sleepArgv, nil)
	if err != nil {
		return nil, "", err
	}
	defer r.close()
	if r.update == nil {
		return nil, "", fmt.Errorf("cannot reload")
	}
	time.Sleep(settle)
	for k := range rounds {
		i := n + k
		t0 := monotonicNow()
		if err := r.update(r.mods[:i+1]); err != nil {
			return nil, "", err
		}
		if !r.t.wait(30*time.Second, func() bool { return r.t.pid[i] != 0 }) {
			return nil, "", fmt.Errorf("the added module had not started 30 s after the change")
		}
		_, at := r.t.current(i)
		got = append(got, float64(at-t0)/1e6)
		time.Sleep(200 * time.Millisecond) // one change at a time, as an operator makes them
	}
	// A tool that loses track of what it added is a finding, not a failed
	// measurement: say so, and let the cleanup kill what it left.
	if _, err := r.shutdown(10 * time.Second); err != nil {
		note = "after the reloads, its stop did not stop everything: " + err.Error() + " (killed by the harness)"
	}
	return got, note, nil
}
