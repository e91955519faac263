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
