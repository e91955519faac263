package proc

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// UserHZ is the unit of /proc/PID/stat's start time: 100 on every Linux svman
// runs on (it is part of the kernel's ABI, whatever CONFIG_HZ is).
const UserHZ = 100

// Stat is what svman reads of /proc/PID/stat.
type Stat struct {
	State byte  // field 3: R, S, D, Z, X, ...
	PPID  int   // field 4: the parent's pid
	Pgrp  int   // field 5: its process group
	UTime int64 // field 14: CPU time in user mode, in ticks of 1/UserHZ s
	STime int64 // field 15: CPU time in kernel mode, in ticks of 1/UserHZ s
	Start int64 // field 22: start time, in ticks of 1/UserHZ s since boot
	RSS   int64 // field 24: resident set size, in pages
}

var errMalformedStat = errors.New("malformed /proc/PID/stat")

// ReadStat reads and parses /proc/PID/stat: the only reader of that file.
func ReadStat(pid int) (Stat, error) {
	b, err := readProcFile("/proc/"+strconv.Itoa(pid)+"/stat", nil)
	if err != nil {
		return Stat{}, err
	}
	// The command name (field 2) may hold spaces and parentheses: count from the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return Stat{}, errMalformedStat
	}
	fields := strings.Fields(string(b[i+1:])) // fields[0] is field 3
	if len(fields) < 22 || len(fields[0]) != 1 {
		return Stat{}, errMalformedStat
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return Stat{}, errMalformedStat
	}
	pgrp, err := strconv.Atoi(fields[2])
	if err != nil {
		return Stat{}, errMalformedStat
	}
	var num [4]int64 // fields 14, 15, 22 and 24
	for i, f := range [4]int{11, 12, 19, 21} {
		if num[i], err = strconv.ParseInt(fields[f], 10, 64); err != nil {
			return Stat{}, errMalformedStat
		}
	}
	return Stat{State: fields[0][0], PPID: ppid, Pgrp: pgrp, UTime: num[0], STime: num[1], Start: num[2], RSS: num[3]}, nil
}

// Alive reports whether pid exists and has not exited (a zombie has).
func Alive(pid int) bool {
	st, err := ReadStat(pid)
	return err == nil && st.State != 'Z' && st.State != 'X'
}

// GroupAlive reports whether any process is left in process group pgid.
func GroupAlive(pgid int) bool {
	if pgid == 0 {
		return false
	}
	err := syscall.Kill(-pgid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// SignalGroup sends sig to process group pgid; a group that is gone is no error.
func SignalGroup(pgid int, sig syscall.Signal) {
	if pgid != 0 {
		_ = syscall.Kill(-pgid, sig)
	}
}

// Signal sends sig to process pid.
func Signal(pid int, sig syscall.Signal) error {
	return syscall.Kill(pid, sig)
}

// LeftoverGroup returns the process group that a status file of a previous run
// names (pid, written at changed), if processes of that run are still in it, or
// 0. A pid in an old status file may long since belong to someone else, so the
// group counts only if the status was written in this boot and either its leader
// is the very process started then (same start time, to the second) or the
// leader is gone but the group is not: a pid that still names a process group
// cannot have been given to a new process.
func LeftoverGroup(pid int, changed time.Time) int {
	boot := bootTime()
	if pid <= 1 || changed.Before(boot) {
		return 0
	}
	st, err := ReadStat(pid)
	switch {
	case err == nil:
		start := boot.Add(time.Duration(st.Start) * time.Second / UserHZ)
		if d := start.Sub(changed); d > 2*time.Second || d < -2*time.Second {
			return 0 // a different process now has that pid
		}
		return pid
	case GroupAlive(pid):
		return pid
	}
	return 0
}

// bootTime is when this machine booted, from /proc/stat.
func bootTime() time.Time {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			if s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return time.Unix(s, 0)
			}
		}
	}
	return time.Time{}
}
