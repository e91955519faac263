package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"svman/engine"
)

// markedPIDs lists the live processes whose environment marks them as the module
// whose status directory is dir.
func markedPIDs(dir string) []int {
	entries, _ := os.ReadDir("/proc")
	want := []byte(engine.EnvStatusDir + "=" + dir + "\x00")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err == nil && bytes.Contains(append(b, 0), want) && pidAlive(pid) {
			out = append(out, pid)
		}
	}
	return out
}

// svman killed with SIGKILL leaves no module unsupervised for long: its children
// die with it (PDEATHSIG), and the next svman stops whatever else is left of the
// first run (grandchildren, detached daemons) before it starts anything. There is
// never a second instance of a module.
func TestKilledSvmanLeavesNoDuplicates(t *testing.T) {
	var manifest strings.Builder
	for i := range 8 {
		manifest.WriteString(helperModule(fmt.Sprintf("tree%d", i), "stubborn", `stop_timeout = "300ms"`))
	}
	for i := range 8 {
		manifest.WriteString(helperModule(fmt.Sprintf("plain%d", i), "sleep"))
	}
	for i := range 4 {
		manifest.WriteString(helperModule(fmt.Sprintf("daemon%d", i), "daemon"))
	}
	p := newProject(t, manifest.String())
	first := p.up()
	var old []int
	modules := map[string]int{} // module -> processes each instance has
	for i := range 8 {
		modules[fmt.Sprintf("tree%d", i)] = 2
		modules[fmt.Sprintf("plain%d", i)] = 1
	}
	for i := range 4 {
		modules[fmt.Sprintf("daemon%d", i)] = 2
	}
	for name, n := range modules {
		p.waitPID(name, 0)
		waitFor(t, name+"'s processes", func() bool { return len(markedPIDs(p.statusDir(name))) == n })
		old = append(old, markedPIDs(p.statusDir(name))...)
	}

	first.cmd.Process.Kill()
	first.wait()
	// Leaders die with svman; what they started in their group or detached does not.
	survivors := 0
	waitFor(t, "the leaders to die with svman", func() bool {
		survivors = 0
		for name := range modules {
			survivors += len(markedPIDs(p.statusDir(name)))
		}
		return survivors == 12 // 8 grandchildren and 4 daemons
	})

	second := p.up()
	for _, pid := range old {
		if pidAlive(pid) {
			t.Errorf("pid %d of the first run is still alive", pid)
		}
	}
	for name, n := range modules {
		leader := p.waitPID(name, 0)
		waitFor(t, name+"'s new processes", func() bool { return len(markedPIDs(p.statusDir(name))) == n })
		if got := markedPIDs(p.statusDir(name)); !containsInt(got, leader) {
			t.Errorf("%s: processes %v do not include the supervised leader %d", name, got, leader)
		}
	}
	// What is left is named in words: a group that exists, processes that exist.
	second.waitOutput(`tree0: a previous svman left process group \d+ and process(es)? [\d, and]+ of this module: stopping them before starting`)
	second.waitOutput(`daemon0: a previous svman left (process group \d+ and )?process \d+ of this module: stopping (it|them) before starting`)
	if out := second.out.String(); strings.Contains(out, "process group 0") || strings.Contains(out, "[]") {
		t.Errorf("the second svman names what does not exist:\n%s", out)
	}
	second.stop()
	for name := range modules {
		if left := markedPIDs(p.statusDir(name)); len(left) > 0 {
			t.Errorf("%s: %v left after svman stopped", name, left)
		}
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// A daemon that double-forks out of its module's group and session is reaped by
// svman (a child subreaper) when it dies, and stopped with its module.
func TestDetachedDaemonIsReapedAndStopped(t *testing.T) {
	p := newProject(t, helperModule("d1", "daemon")+helperModule("d2", "daemon"))
	sv := p.up()
	m1 := sv.waitOutput(`d1 +\| daemon pid=(\d+)`)
	m2 := sv.waitOutput(`d2 +\| daemon pid=(\d+)`)
	daemon1, _ := strconv.Atoi(m1[1])
	daemon2, _ := strconv.Atoi(m2[1])
	waitFor(t, "the daemons to be svman's children", func() bool {
		return parentOf(daemon1) == sv.cmd.Process.Pid && parentOf(daemon2) == sv.cmd.Process.Pid
	})

	// Reaped: killed from outside, it does not linger as a zombie.
	syscall.Kill(daemon1, syscall.SIGKILL)
	waitFor(t, "the dead daemon to be reaped", func() bool {
		_, err := os.Stat(filepath.Join("/proc", strconv.Itoa(daemon1)))
		return os.IsNotExist(err)
	})

	// Stopped: taking its module down ends it too.
	p.sh("echo d > status/d2/control")
	sv.waitOutput(`d2 is down`) // reported once everything the module started is gone
	if pidAlive(daemon2) {
		t.Errorf("the detached daemon %d survived its module's stop", daemon2)
	}
	sv.stop()
}

// parentOf is pid's parent, from /proc/PID/stat.
func parentOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}
