package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
)

// The legacy scripts keep working: od reads the pid, echo into control drives it,
// fuser names the supervisor.
func TestLegacyScriptsDriveAModule(t *testing.T) {
	p := newProject(t, helperModule("app", "sleeper", `restart { delay = "0s" }`))
	sv := p.up()
	pid := p.waitPID("app", 0)

	od := strings.TrimSpace(p.sh("od -An -j16 -N4 -tu4 status/app/status"))
	if od != strconv.Itoa(pid) {
		t.Fatalf("od printed %q, want the live pid %d", od, pid)
	}
	legacyOd := strings.TrimSpace(p.sh("od -d --skip-bytes=16 status/app/status | awk '{print $2}' | head -1"))
	if pid < 65536 && legacyOd != strconv.Itoa(pid) {
		t.Errorf("od -d printed %q, want %d", legacyOd, pid)
	}
	if _, err := os.Stat("/usr/bin/fuser"); err == nil {
		out := p.sh("fuser status/app/lock 2>/dev/null || true")
		if !regexp.MustCompile(`\b` + strconv.Itoa(sv.cmd.Process.Pid) + `\b`).MatchString(out) {
			t.Errorf("fuser lock printed %q, want svman's pid %d", out, sv.cmd.Process.Pid)
		}
		if strings.Contains(" "+out+" ", " "+strconv.Itoa(pid)+" ") {
			t.Errorf("fuser lock names the child %d too: the lock leaked into it", pid)
		}
	}

	// p and c pause and continue the child.
	p.sh("echo p > status/app/control")
	testkit.WaitFor(t, "the child to be stopped (T)", func() bool { return stateOf(pid) == 'T' && p.status("app").Paused })
	p.sh("echo c > status/app/control")
	testkit.WaitFor(t, "the child to run again", func() bool { return stateOf(pid) != 'T' && !p.status("app").Paused })

	// k gives a new pid.
	p.sh("echo k > status/app/control")
	pid2 := p.waitPID("app", pid)

	// d stops it and it stays down.
	p.sh("echo d > status/app/control")
	testkit.WaitFor(t, "app to be down", func() bool { st := p.status("app"); return st.PID == 0 && st.Want == 'd' })
	testkit.WaitFor(t, "the child to be gone", func() bool { return !pidAlive(pid2) })
	sv.waitOutput(`app is down`)
	if st := p.status("app"); st.PID != 0 {
		t.Fatalf("app restarted after d: pid %d", st.PID)
	}

	// u starts it again.
	p.sh("echo u > status/app/control")
	p.waitPID("app", 0)

	if code := sv.stop(); code != 0 {
		t.Fatalf("svman exited %d after SIGTERM; output:\n%s", code, sv.out)
	}
}

func stateOf(pid int) byte {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	return procState(b)
}

// A child killed with SIGKILL is replaced, and the status file shows the new pid.
func TestKilledChildIsReplaced(t *testing.T) {
	p := newProject(t, helperModule("app", "sleeper", `restart { delay = "0s" }`))
	sv := p.up()
	pid := p.waitPID("app", 0)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	pid2 := p.waitPID("app", pid)
	sv.waitOutput(`app \(pid ` + strconv.Itoa(pid) + `\) killed by SIGKILL`)
	sv.waitOutput(`app started, pid ` + strconv.Itoa(pid2))
	sv.stop()
	if pidAlive(pid2) {
		t.Errorf("child %d outlived svman", pid2)
	}
}

// A child that ignores SIGTERM is killed after stop_timeout, grandchildren too.
func TestStubbornChildIsKilledAfterStopTimeout(t *testing.T) {
	p := newProject(t, helperModule("app", "stubborn", `stop_timeout = "300ms"`))
	sv := p.up()
	m := sv.waitOutput(`ready pid=(\d+) grandchild=(\d+)`)
	pid, _ := strconv.Atoi(m[1])
	grandchild, _ := strconv.Atoi(m[2])
	if code := sv.stop(); code != 0 {
		t.Fatalf("svman exited %d; output:\n%s", code, sv.out)
	}
	if !strings.Contains(sv.out.String(), "did not stop within stop_timeout: SIGKILL sent") {
		t.Errorf("no escalation reported; output:\n%s", sv.out)
	}
	for _, p := range []int{pid, grandchild} {
		if pidAlive(p) {
			t.Errorf("pid %d survived svman's stop", p)
		}
	}
}

// A second svman on the same status directory refuses, names the holder, and the
// first keeps running.
func TestSecondSvmanRefuses(t *testing.T) {
	p := newProject(t, helperModule("app", "sleeper"))
	first := p.up()
	pid := p.waitPID("app", 0)

	second := p.start("up", "-f", p.manifestPath())
	if code := second.wait(); code != 1 {
		t.Fatalf("second svman exited %d, want 1; output:\n%s", code, second.out)
	}
	want := "in use by pid " + strconv.Itoa(first.cmd.Process.Pid)
	if !strings.Contains(second.out.String(), want) {
		t.Errorf("second svman said %q, want it to contain %q", second.out, want)
	}
	if first.exited() || !pidAlive(pid) || p.status("app").PID != pid {
		t.Fatalf("the first svman or its child was disturbed")
	}
	first.stop()
}

// Output arrives as whole prefixed lines, stderr marked, partial lines kept.
func TestOutputIsPrefixedWholeLines(t *testing.T) {
	p := newProject(t, helperModule("partial", "partial", `restart { policy = "never" }`)+
		helperModule("crash", "crash", `restart { policy = "never" }`))
	sv := p.up()
	sv.waitOutput(`\d\d:\d\d:\d\d partial +\| hello world\n`)
	sv.waitOutput(`partial +\| second line\n`)
	sv.waitOutput(`partial +\| no newline at the end\n`)
	sv.waitOutput(`crash +! crashing\n`)
	sv.waitOutput(`crash \(pid \d+\) exited with code 3`)
	sv.stop()
}

// A second interrupt kills at once what a graceful stop is still waiting for.
func TestSecondInterruptKills(t *testing.T) {
	p := newProject(t, helperModule("app", "stubborn", `stop_timeout = "10m"`))
	sv := p.up()
	m := sv.waitOutput(`ready pid=(\d+) grandchild=(\d+)`)
	sv.cmd.Process.Signal(syscall.SIGINT)
	sv.waitOutput(`SIGINT: stopping every module`)
	sv.cmd.Process.Signal(syscall.SIGINT)
	if code := sv.wait(); code != 0 {
		t.Fatalf("svman exited %d; output:\n%s", code, sv.out)
	}
	sv.waitOutput(`SIGINT again: killing every module`)
	for _, s := range m[1:] {
		pid, _ := strconv.Atoi(s)
		if pidAlive(pid) {
			t.Errorf("pid %d survived the second interrupt", pid)
		}
	}
}

// --color=always colors the prefixes even into a pipe; the default does not.
func TestColorFlag(t *testing.T) {
	p := newProject(t, helperModule("app", "sleeper"))
	sv := p.start("up", "-f", p.manifestPath(), "--color=always")
	sv.waitOutput(`\x1b\[[0-9;]*m[0-9:]+ app\s*\|\x1b\[0m ready`)
	sv.stop()
	plain := p.up()
	plain.waitOutput(`app +\| ready`)
	plain.stop()
	if strings.Contains(plain.out.String(), "\x1b[") {
		t.Errorf("colors in a pipe without --color=always:\n%q", plain.out)
	}
}

func TestVersionAndHelp(t *testing.T) {
	p := newProject(t, "")
	for _, args := range [][]string{{"--version"}, {"version"}} {
		if code, out, _ := p.runArgs(args...); code != 0 || !strings.HasPrefix(out, "svman ") {
			t.Errorf("svman %v = %d %q", args, code, out)
		}
	}
	if code, out, _ := p.runArgs("help", "up"); code != 0 || !strings.Contains(out, "Usage: svman up") || !strings.Contains(out, "-no-timestamps") {
		t.Errorf("svman help up = %d\n%s", code, out)
	}
	if code, _, errOut := p.runArgs("frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("svman frobnicate = %d %q", code, errOut)
	}
	if code, _, _ := p.runArgs(); code != 2 {
		t.Errorf("svman with no command exited %d, want 2", code)
	}
	if code, _, _ := p.runArgs("up", "--color=sometimes"); code != 2 {
		t.Errorf("a bad flag value exited %d, want 2", code)
	}
}

// svman keeps supervising when its console goes away (`svman up | head`): the write
// fails, svman does not die, and the module's output still reaches its log file.
func TestClosedConsoleKeepsSupervising(t *testing.T) {
	p := newProject(t, helperModule("app", "sleeper", `restart { delay = "0s" }`))
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := newSvmanCmd(p.dir, "up", "-f", p.manifestPath())
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	var waitErr error
	done := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	pid := p.waitPID("app", 0)
	logged := func(n int) func() bool {
		return func() bool {
			b, _ := os.ReadFile(filepath.Join(p.statusDir("app"), "__stdout"))
			return strings.Count(string(b), "ready pid=") >= n
		}
	}
	testkit.WaitFor(t, "the first child's output in its log file", logged(1))
	r.Close() // the reader goes away, as head does

	syscall.Kill(pid, syscall.SIGKILL) // events to print, into a closed pipe
	p.waitPID("app", pid)
	testkit.WaitFor(t, "the new child's output in its log file", logged(2))
	// The console writes its lines after the status and the log files, from its
	// own goroutine: only svman's exit says that every write into the closed pipe
	// was made. Stopped with TERM, it must end as it always does, with 0.
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(testkit.Deadline):
		t.Fatal("svman did not exit after SIGTERM")
	}
	if waitErr != nil {
		t.Fatalf("svman, its console gone, ended with %v, want exit 0", waitErr)
	}
}
