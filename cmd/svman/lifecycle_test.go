package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"svman/internal/proc"
	"svman/internal/testkit"
)

// markedPIDs lists the live processes whose environment marks them as the module
// whose status directory is dir, as svman's own scan for leftovers finds them.
func markedPIDs(dir string) []int {
	var out []int
	for _, pid := range proc.MarkedProcesses(map[string]bool{dir: true})[dir] {
		if pidAlive(pid) {
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
		manifest.WriteString(helperModule(fmt.Sprintf("plain%d", i), "sleeper"))
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
		testkit.WaitFor(t, name+"'s processes", func() bool { return len(markedPIDs(p.statusDir(name))) == n })
		old = append(old, markedPIDs(p.statusDir(name))...)
	}
	// Each grandchild writes one line to the console pipe as it starts. One that had
	// not written it yet when svman died would die of SIGPIPE on that line, which is
	// not what this test is about: the kill waits for all eight lines. (The daemons
	// write nothing: their output is /dev/null.)
	for i := range 8 {
		first.waitOutput(fmt.Sprintf(`tree%d +\| grandchild ignores TERM`, i))
	}

	first.cmd.Process.Kill()
	first.wait()
	// Leaders die with svman; what they started in their group or detached does not.
	survivors := 0
	var left map[string][]int
	defer func() {
		if survivors != 12 {
			t.Logf("processes left of the first run: %v", left)
		}
	}()
	testkit.WaitFor(t, "the leaders to die with svman", func() bool {
		survivors, left = 0, map[string][]int{}
		for name := range modules {
			left[name] = markedPIDs(p.statusDir(name))
			survivors += len(left[name])
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
		testkit.WaitFor(t, name+"'s new processes", func() bool { return len(markedPIDs(p.statusDir(name))) == n })
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

// parentOf is pid's parent, from /proc/PID/stat.
func parentOf(pid int) int {
	st, _ := proc.ReadStat(pid)
	return st.PPID
}

// readLog returns a module's supervise log (name: supervise.log or
// supervise.log.wf), "" when it does not exist.
func (p *project) readLog(module, name string) string {
	b, _ := os.ReadFile(filepath.Join(p.statusDir(module), name))
	return string(b)
}
