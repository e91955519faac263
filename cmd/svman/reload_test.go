package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/statusfs"
)

// sleepModules are n modules of /bin/sleep: cheap, real processes.
func sleepModules(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "module \"s%02d\" {\n  command = [\"sleep\", \"100000\"]\n}\n", i)
	}
	return b.String()
}

// Save styles, as editors and tools save a file.
var saveStyles = map[string]func(path string, content []byte) error{
	"in place": func(path string, content []byte) error { // vim with backupcopy=yes
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.Write(content); err != nil {
			return err
		}
		return f.Truncate(int64(len(content)))
	},
	"truncate and write": func(path string, content []byte) error { // cp, shell redirection
		return os.WriteFile(path, content, 0o644)
	},
	"rename over": func(path string, content []byte) error { // VS Code, sed -i, mv
		tmp := filepath.Join(filepath.Dir(path), ".supervise.hcl.swp")
		if err := os.WriteFile(tmp, content, 0o644); err != nil {
			return err
		}
		return os.Rename(tmp, path)
	},
	"delete and create": func(path string, content []byte) error {
		if err := os.Remove(path); err != nil {
			return err
		}
		return os.WriteFile(path, content, 0o644)
	},
}

func (p *project) save(style, manifest string) {
	p.t.Helper()
	if err := saveStyles[style](p.manifestPath(), []byte(manifest)); err != nil {
		p.t.Fatal(err)
	}
}

func (p *project) pids(names ...string) map[string]int {
	out := make(map[string]int, len(names))
	for _, n := range names {
		out[n] = p.status(n).PID
	}
	return out
}

func names(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("s%02d", i))
	}
	return out
}

var reloadReport = regexp.MustCompile(`svman +\| reload: `)

// reloads counts the reload reports in svman's output.
func (s *svman) reloads() int {
	return len(reloadReport.FindAllStringIndex(s.out.String(), -1))
}

// barrier asks for a reload with SIGHUP and waits for its report: every reload an
// earlier save triggered has been reported by then.
func (s *svman) barrier() {
	s.t.Helper()
	before := s.reloads()
	s.cmd.Process.Signal(syscall.SIGHUP)
	testkit.WaitFor(s.t, "the SIGHUP reload", func() bool { return s.reloads() > before })
}

// With 50 modules running, each save style adds a module and triggers exactly one
// reload; the 50 keep their pids.
func TestSaveAddsOnlyTheNewModule(t *testing.T) {
	base := sleepModules(50)
	p := newProject(t, base)
	sv := p.up()
	all := names(50)
	for _, n := range all {
		p.waitPID(n, 0)
	}
	before := p.pids(all...)
	manifest := base
	for i, style := range []string{"in place", "truncate and write", "rename over", "delete and create"} {
		name := fmt.Sprintf("added%d", i)
		manifest += fmt.Sprintf("module %q {\n  command = [\"sleep\", \"100000\"]\n}\n", name)
		p.save(style, manifest)
		sv.waitOutput(`reload: \+1 -0 ~0 \(\d+ unchanged\): \+` + name + `\n`)
		p.waitPID(name, 0)
		sv.barrier()
		if n := strings.Count(sv.out.String(), "+"+name+"\n"); n != 1 {
			t.Errorf("%s: %d reloads added %s, want exactly 1", style, n, name)
		}
	}
	if after := p.pids(all...); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("unchanged modules changed pids:\nbefore %v\nafter  %v", before, after)
	}
	sv.stop()
}

// Changing one module's env restarts only it, and the new child sees the new env;
// a policy-only change applies in place and governs the next exit.
func TestSaveRestartsOnlyTheChangedModule(t *testing.T) {
	envModule := func(v string) string {
		return helperModuleEnv("app", "showenv", map[string]string{testkit.PrintEnv: "GREETING", "GREETING": v})
	}
	policyModule := func(delay string) string {
		// min_uptime 1h: the kill below is a crash however long steady ran, so the
		// new delay is what the next start waits.
		return fmt.Sprintf("module \"steady\" {\n  command = [\"sleep\", \"100000\"]\n  restart {\n    delay = %q\n    min_uptime = \"1h\"\n  }\n}\n", delay)
	}
	p := newProject(t, envModule("hello")+policyModule("0s")+sleepModules(3))
	sv := p.up()
	sv.waitOutput(`app +\| GREETING=hello\n`)
	app := p.waitPID("app", 0)
	steady := p.waitPID("steady", 0)
	others := p.pids(names(3)...)

	p.save("rename over", envModule("bonjour")+policyModule("1h")+sleepModules(3))
	sv.waitOutput(`reload: \+0 -0 ~2 \(3 unchanged\): ~app \(env \(GREETING\)\) ~steady \(in place: restart\)`)
	sv.waitOutput(`app +\| GREETING=bonjour\n`)
	testkit.WaitFor(t, "app's status to name a new child, with the new env", func() bool {
		st, err := statusfs.ReadStatus(p.statusDir("app"))
		return err == nil && st.PID != app && hasEnv(st.PID, "GREETING=bonjour")
	})
	// steady's new policy is in force once its module.json says so; a restart
	// would have stopped the old child before that.
	testkit.WaitFor(t, "steady's new policy applied", func() bool {
		m, err := statusfs.ReadApplied(p.statusDir("steady"))
		return err == nil && m.Restart.Delay == time.Hour
	})
	if st := p.status("steady"); st.PID != steady || !pidAlive(steady) {
		t.Errorf("steady restarted on a policy-only change: pid %d -> %d", steady, st.PID)
	}
	if fmt.Sprint(p.pids(names(3)...)) != fmt.Sprint(others) {
		t.Error("unchanged modules restarted")
	}
	// The new delay applies to steady's next exit. It counts from steady's start,
	// however long ago that was (the old delay would restart it now).
	syscall.Kill(steady, syscall.SIGKILL)
	sv.waitOutput(`steady restarting in (5\dm\d+s|1h0m0s) \(crash loop: 1 run shorter than 1h0m0s\)`)
	sv.stop()
}

// Twenty saves in a burst end in the state of the last one.
func TestSaveBurstEndsInLastState(t *testing.T) {
	module := func(i int) string {
		return helperModuleEnv("app", "showenv", map[string]string{testkit.PrintEnv: "N", "N": strconv.Itoa(i)})
	}
	p := newProject(t, module(0))
	sv := p.up()
	sv.waitOutput(`app +\| N=0\n`)
	for i := 1; i <= 20; i++ {
		p.save("truncate and write", module(i))
	}
	sv.waitOutput(`app +\| N=20\n`)
	sv.barrier()
	t.Logf("20 saves gave %d reloads", sv.reloads()-1)
	// The new child prints as soon as it runs; the status file names it once the
	// step that forked it ends, and until then still names the child it replaced,
	// already reaped. Neither the line nor a reload orders the two: wait for the
	// status itself.
	var pid int
	testkit.WaitFor(t, "status to name a running child with N=20", func() bool {
		st, err := statusfs.ReadStatus(p.statusDir("app"))
		pid = st.PID
		return err == nil && hasEnv(pid, "N=20")
	})
	if got := markedPIDs(p.statusDir("app")); len(got) != 1 || got[0] != pid {
		t.Errorf("processes of app %v, want only the child in status %d", got, pid)
	}
	sv.stop()
}
