package engine

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"svman/statusfs"
)

// userHZ is the unit of /proc/PID/stat's start time: 100 on every Linux svman
// runs on (it is part of the kernel's ABI, whatever CONFIG_HZ is).
const userHZ = 100

// leftoverGroup returns the process group that the status file of a previous run
// names, if processes of that run are still in it, or 0. A pid in an old status file
// may long since belong to someone else, so the group counts only if the status was
// written in this boot and either its leader is the very process started then (same
// start time, to the second) or the leader is gone but the group is not: a pid that
// still names a process group cannot have been given to a new process.
func leftoverGroup(old statusfs.Status) int {
	p := old.PID
	if p <= 1 || old.Changed.Before(bootTime()) {
		return 0
	}
	start, err := processStart(p)
	switch {
	case err == nil:
		if d := start.Sub(old.Changed); d > 2*time.Second || d < -2*time.Second {
			return 0 // a different process now has that pid
		}
		return p
	case groupAlive(p):
		return p
	}
	return 0
}

// bootTime is when this machine booted, from /proc/stat.
func bootTime() time.Time {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			if s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return time.Unix(s, 0)
			}
		}
	}
	return time.Time{}
}

// processStart is when pid started, from /proc/PID/stat.
func processStart(pid int) (time.Time, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return time.Time{}, err
	}
	// The command name (field 2) may hold spaces and parentheses: count from the last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return time.Time{}, errors.New("malformed stat")
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 20 {
		return time.Time{}, errors.New("malformed stat")
	}
	ticks, err := strconv.ParseInt(fields[19], 10, 64) // field 22: starttime
	if err != nil {
		return time.Time{}, err
	}
	return bootTime().Add(time.Duration(ticks) * time.Second / userHZ), nil
}

// stopLeftovers stops what a previous svman, killed before it could stop its
// modules, left of this one (its process group, and the processes marked with its
// status directory that left the group), before the module starts again: there is
// never a second instance. It waits for them like a stop does: stop_signal, then
// SIGKILL after stop_timeout.
func (s *supervisor) stopLeftovers(old statusfs.Status, marked []int) {
	pgid := leftoverGroup(old)
	if pgid == 0 && len(marked) == 0 {
		return
	}
	signal := func(sig syscall.Signal) {
		if pgid != 0 {
			_ = syscall.Kill(-pgid, sig)
		}
		for _, pid := range marked {
			_ = syscall.Kill(pid, sig)
		}
	}
	alive := func() bool {
		if groupAlive(pgid) {
			return true
		}
		for _, pid := range marked {
			if processAlive(pid) {
				return true
			}
		}
		return false
	}
	s.record(Event{Kind: Warning, Err: errors.New(leftoverText(pgid, marked))})
	signal(s.mod.StopSignal)
	signal(syscall.SIGCONT)
	if waitUntil(time.Now().Add(s.mod.StopTimeout), func() bool { return !alive() }) {
		return
	}
	signal(syscall.SIGKILL)
	if !waitUntil(time.Now().Add(5*time.Second), func() bool { return !alive() }) {
		s.record(Event{Kind: Warning, Err: errors.New("processes of a previous run survive SIGKILL (uninterruptible sleep?)")})
	}
}

// leftoverText says what a previous svman left of a module, naming only what
// exists: its process group (pgid, 0 when none is left) and the processes marked
// as the module's (some of which may be in that group).
func leftoverText(pgid int, marked []int) string {
	var parts []string
	if pgid != 0 {
		parts = append(parts, fmt.Sprintf("process group %d", pgid))
	}
	switch n := len(marked); n {
	case 0:
	case 1:
		parts = append(parts, fmt.Sprintf("process %d", marked[0]))
	default:
		pids := make([]string, n)
		for i, pid := range marked {
			pids[i] = strconv.Itoa(pid)
		}
		parts = append(parts, "processes "+strings.Join(pids[:n-1], ", ")+" and "+pids[n-1])
	}
	them := "them"
	if len(parts) == 1 && len(marked) <= 1 {
		them = "it"
	}
	return fmt.Sprintf("a previous svman left %s of this module: stopping %s before starting", strings.Join(parts, " and "), them)
}

// processAlive reports whether pid exists and has not exited (a zombie has).
func processAlive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i >= 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}

// waitUntil polls cond, more and more slowly up to pollMax, until it holds or the
// deadline passes. Only leftovers of a crashed svman are waited for this way:
// they are not svman's children, so no exit is ever reported for them.
func waitUntil(deadline time.Time, cond func() bool) bool {
	for d := pollFirst; ; d = min(2*d, pollMax) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(d)
	}
}
