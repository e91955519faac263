package main

import (
	"fmt"
	"time"
)

// settle is how long a run is left alone after its modules started, before its
// memory or idle cost is read: the peers finish their own start-up work (first
// status writes, log file opens, garbage collection).
const settle = 2 * time.Second

// figMemory: RSS and PSS of the supervising processes (the tool's process tree
// without the modules) at 1, 100 and 1000 `sleep` modules.
func figMemory(env *benchEnv, peers []peerInfo, sizes []int) *section {
	s := &section{
		title: "2. Memory",
		intro: "Resident (RSS) and proportional (PSS) memory of the supervising processes, with N `sleep` modules running: for svman, goreman, process-compose and supervisord one process; for daemontools, runit and s6 the sum of svscan/runsvdir and every supervise/runsv process. " +
			"PSS counts shared pages once across processes, so it is the fair sum. Per module: (PSS at the largest N − PSS at 100) ÷ the difference in N. Ratio: svman's PSS ÷ the tool's at the largest N.",
		header: []string{"tool"},
	}
	s.listFor(peers)
	for _, n := range sizes {
		s.header = append(s.header, fmt.Sprintf("N=%d RSS / PSS", n))
	}
	s.header = append(s.header, "per extra module (PSS)", "svman ÷ tool")
	type result struct{ rss, pss []float64 }
	res := map[string]result{}
	for _, pi := range peers {
		if pi.skip != nil {
			s.skip(pi.p.name(), pi.skip)
			continue
		}
		var r result
		var err error
		for _, n := range sizes {
			progress("memory: %s, %d modules", pi.p.name(), n)
			var rss, pss int64
			if rss, pss, err = measureMemory(env, pi.p, n); err != nil {
				break
			}
			r.rss, r.pss = append(r.rss, float64(rss)), append(r.pss, float64(pss))
		}
		if err != nil {
			s.skip(pi.p.name(), err)
			continue
		}
		res[pi.p.name()] = r
	}
	last := len(sizes) - 1
	sv, svOK := res["svman"]
	for _, pi := range peers {
		r, ok := res[pi.p.name()]
		if !ok {
			continue
		}
		cells := []string{pi.p.name()}
		for i := range sizes {
			cells = append(cells, mb(r.rss[i])+" / "+mb(r.pss[i]))
		}
		perMod := "–"
		if last >= 1 {
			perMod = kb((r.pss[last] - r.pss[last-1]) / float64(sizes[last]-sizes[last-1]))
		}
		rt := "–"
		if svOK {
			rt = ratio(sv.pss[last], r.pss[last])
		}
		s.add(append(cells, perMod, rt)...)
	}
	return s
}

func measureMemory(env *benchEnv, p peer, n int) (rss, pss int64, err error) {
	r, err := startRun(env, p, n, n, sleepArgv, nil)
	if err != nil {
		return 0, 0, err
	}
	defer r.close()
	time.Sleep(settle)
	rss, pss = memory(r.supervisors())
	_, err = r.shutdown(60 * time.Second)
	return rss, pss, err
}
