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
