package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// descendants lists root and every process below it.
func descendants(root int) []int {
	children := make(map[int][]int)
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, ok := statField(pid, 4); ok {
			children[ppid] = append(children[ppid], pid)
		}
	}
	out := []int{root}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// statField is field n (1-based, as in proc(5)) of /proc/PID/stat as a number.
func statField(pid, n int) (int, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command (field 2) may hold spaces; fields after it follow the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if n-3 >= len(f) || n < 3 {
		return 0, false
	}
	v, err := strconv.Atoi(f[n-3])
	return v, err == nil
}

// alive says whether pid exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && len(b) > i+2 && b[i+2] != 'Z'
}

// memory is the resident and proportional set sizes of pids together, in bytes.
func memory(pids []int) (rss, pss int64) {
	for _, pid := range pids {
		f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			switch k {
			case "Rss":
				rss += kb << 10
			case "Pss":
				pss += kb << 10
			}
		}
		f.Close()
	}
	return rss, pss
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat: 100 on
// every Linux architecture the harness runs on.
const clockTicks = 100

// cpuSeconds is the user+system CPU time pids have used.
func cpuSeconds(pids []int) float64 {
	var ticks int
	for _, pid := range pids {
		u, _ := statField(pid, 14)
		s, _ := statField(pid, 15)
		ticks += u + s
	}
	return float64(ticks) / clockTicks
}

// contextSwitches is the voluntary and involuntary context switches of every
// thread of pids: each is a wake-up.
func contextSwitches(pids []int) int {
	n := 0
	for _, pid := range pids {
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/status")
		for _, t := range tasks {
			b, err := os.ReadFile(t)
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(b), "\n") {
				if k, v, ok := strings.Cut(line, ":"); ok && strings.HasSuffix(k, "ctxt_switches") {
					c, _ := strconv.Atoi(strings.TrimSpace(v))
					n += c
				}
			}
		}
	}
	return n
}

// openFiles is how many descriptors pids hold open together: the entries of
// each /proc/PID/fd.
func openFiles(pids []int) int {
	n := 0
	for _, pid := range pids {
		ents, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
		n += len(ents)
	}
	return n
}
