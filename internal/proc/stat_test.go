package proc

import (
	"os/exec"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
)

// startSleeper starts a process that leads its own group and sleeps; the test
// kills and waits for it at the end.
func startSleeper(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

func TestAliveUntilExited(t *testing.T) {
	cmd := startSleeper(t)
	pid := cmd.Process.Pid
	if !Alive(pid) || !GroupAlive(pid) {
		t.Fatalf("a running process: Alive %v, GroupAlive %v", Alive(pid), GroupAlive(pid))
	}
	SignalGroup(pid, syscall.SIGKILL)
	// A zombie is not alive: no Wait needed.
	testkit.WaitFor(t, "the process dead after SIGKILL", func() bool { return !Alive(pid) })
	_ = cmd.Wait()
	if GroupAlive(pid) {
		t.Error("the group of a reaped process is alive")
	}
	if Alive(0) || GroupAlive(0) {
		t.Error("pid 0 is alive")
	}
}

func TestLeftoverGroupIsTheProcessStartedThen(t *testing.T) {
	cmd := startSleeper(t)
	pid := cmd.Process.Pid
	if got := LeftoverGroup(pid, time.Now()); got != pid {
		t.Errorf("LeftoverGroup of a status written at its start = %d, want %d", got, pid)
	}
	if got := LeftoverGroup(pid, time.Now().Add(-time.Hour)); got != 0 {
		t.Errorf("LeftoverGroup of an hour-old status = %d, want 0: another process has the pid", got)
	}
	if got := LeftoverGroup(1, time.Now()); got != 0 {
		t.Errorf("LeftoverGroup(1) = %d, want 0", got)
	}
}

func TestGroupUsageOfABusyGroup(t *testing.T) {
	// A shell that spins in its own group: its CPU time grows past zero.
	cmd := exec.Command("/bin/sh", "-c", "while :; do :; done")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	pid := cmd.Process.Pid
	var u Usage
	testkit.WaitFor(t, "CPU time of a spinning group", func() bool {
		u = GroupUsage(map[int]bool{pid: true})[pid]
		return u.CPU > 0
	})
	if u.RSS <= 0 {
		t.Errorf("RSS of a running shell = %d, want > 0", u.RSS)
	}
	if got := GroupUsage(map[int]bool{pid: true, 1<<22 + 7: true}); len(got) != 1 {
		t.Errorf("usage of a live and a missing group = %v, want the live one alone", got)
	}
}
