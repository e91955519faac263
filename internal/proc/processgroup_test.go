package proc

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
)

func TestProcessGroup(t *testing.T) {
	leader := startSleeper(t) // leads its own group
	if got, err := ProcessGroup(leader.Process.Pid); err != nil || got != leader.Process.Pid {
		t.Errorf("ProcessGroup of a group leader = %d, %v; want its own pid %d", got, err, leader.Process.Pid)
	}
	member := exec.Command("sleep", "60")
	member.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pgid: leader.Process.Pid}
	if err := member.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = member.Process.Kill(); _ = member.Wait() })
	if got, err := ProcessGroup(member.Process.Pid); err != nil || got != leader.Process.Pid {
		t.Errorf("ProcessGroup of a process that joined group %d = %d, %v", leader.Process.Pid, got, err)
	}
	if got, err := ProcessGroup(os.Getpid()); err != nil || got != syscall.Getpgrp() {
		t.Errorf("ProcessGroup of the test = %d, %v; want getpgrp() = %d", got, err, syscall.Getpgrp())
	}

	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	if got, err := ProcessGroup(gone.Process.Pid); err == nil {
		t.Errorf("ProcessGroup of a reaped process = %d, want an error", got)
	}
}
