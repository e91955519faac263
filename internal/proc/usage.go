package proc

import (
	"os"
	"strconv"
	"time"
)

// Usage is what the live processes of one process group use.
type Usage struct {
	CPU time.Duration // user and system time of its members, as /proc/PID/stat counts them
	RSS int64         // resident memory of its members, in bytes
}

// GroupUsage reads /proc/PID/stat of every process once and sums, for each
// process group of pgids, the CPU time and resident memory of its members.
// A group with no member left has no entry. It reads /proc only when called:
// nothing is sampled in the background, and a member that exited is no longer
// counted (its time is in its parent's children's time only once reaped).
func GroupUsage(pgids map[int]bool) map[int]Usage {
	out := make(map[int]Usage, len(pgids))
	if len(pgids) == 0 {
		return out
	}
	entries, _ := os.ReadDir("/proc")
	page := int64(os.Getpagesize())
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := ReadStat(pid)
		if err != nil || !pgids[st.Pgrp] || st.State == 'Z' || st.State == 'X' {
			continue
		}
		u := out[st.Pgrp]
		u.CPU += time.Duration(st.UTime+st.STime) * time.Second / UserHZ
		u.RSS += st.RSS * page
		out[st.Pgrp] = u
	}
	return out
}
