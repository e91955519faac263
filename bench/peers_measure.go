package main

// measurePeers measures each peer with measure, in order, and returns the
// results by tool name. A peer that was skipped, or whose measurement fails, is
// listed in s as not measured, with the reason. what names the figure in the
// progress lines.
func measurePeers[T any](s *section, peers []peerInfo, what string, measure func(peer) (T, error)) map[string]T {
	res := map[string]T{}
	for _, pi := range peers {
		if pi.skip != nil {
			s.skip(pi.p.name(), pi.skip)
			continue
		}
		progress("%s: %s", what, pi.p.name())
		got, err := measure(pi.p)
		if err != nil {
			s.skip(pi.p.name(), err)
			continue
		}
		res[pi.p.name()] = got
	}
	return res
}
