package engine

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// The variables every module's child gets, so that it knows its name and status
// directory, and so that svman can recognise the processes a module started even
// after they left its process group (setsid) and its parent died: the environment
// is inherited by everything the module forks.
const (
	EnvModule    = "SVMAN_MODULE"
	EnvStatusDir = "SVMAN_STATUS_DIR"
)

// markedWith reports whether pid's initial environment names status directory dir.
func markedWith(pid int, dir string) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	want := []byte(EnvStatusDir + "=" + dir)
	for _, kv := range bytes.Split(b, []byte{0}) {
		if bytes.Equal(kv, want) {
			return true
		}
	}
	return false
}

// escapees are the children of svman that the reaper did not fork (orphans that
// svman, a child subreaper, inherited: daemons that detached from a module) and
// that belong to status directory dir.
func (r *Reaper) escapees(dir string) []int {
	var out []int
	for _, pid := range ownChildren() {
		r.mu.Lock()
		_, known := r.waiting[pid]
		r.mu.Unlock()
		if !known && markedWith(pid, dir) {
			out = append(out, pid)
		}
	}
	return out
}

// ownChildren lists svman's children, from each thread's children file (a child
// belongs to the thread that forked it, or that inherited it). It runs on every
// exit, before the restart: it reads the thread list once and each children file
// directly (a glob would list every thread's directory too).
func ownChildren() []int {
	tasks, _ := os.ReadDir("/proc/self/task")
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + t.Name() + "/children")
		if err != nil {
			continue
		}
		for _, field := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(field); err == nil {
				out = append(out, pid)
			}
		}
	}
	return out
}

// markedProcesses scans every process once and returns, for each of dirs, the
// pids whose environment names it: what a previous svman, killed without a chance
// to stop them, left running.
func markedProcesses(dirs map[string]bool) map[string][]int {
	out := map[string][]int{}
	entries, _ := os.ReadDir("/proc")
	self := os.Getpid()
	prefix := []byte(EnvStatusDir + "=")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(b, []byte{0}) {
			if d, ok := bytes.CutPrefix(kv, prefix); ok && dirs[string(d)] {
				out[string(d)] = append(out[string(d)], pid)
				break
			}
		}
	}
	return out
}
