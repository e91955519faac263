package proc

import (
	"slices"
	"testing"
)

func TestChildEnvLeavesOutSvmansOwnServiceManagerVariables(t *testing.T) {
	base := []string{
		"PATH=/usr/bin",
		"NOTIFY_SOCKET=/run/systemd/notify",
		"WATCHDOG_PID=1", "WATCHDOG_USEC=30000000",
		"LISTEN_PID=1", "LISTEN_FDS=2", "LISTEN_FDNAMES=a:b",
		"SMTP_PASS=hunter2",
	}
	got := ChildEnv(base, []string{"hunter2"}, map[string]string{"APP": "1"})
	want := []string{"APP=1", "PATH=/usr/bin"}
	if !slices.Equal(got, want) {
		t.Errorf("ChildEnv = %q, want %q", got, want)
	}

	// A module's own notify socket, or its own LISTEN_FDS, comes through a set.
	got = ChildEnv(base, nil,
		map[string]string{"NOTIFY_SOCKET": "@svman/1"},
		map[string]string{"LISTEN_FDS": "1"})
	want = []string{"LISTEN_FDS=1", "NOTIFY_SOCKET=@svman/1", "PATH=/usr/bin", "SMTP_PASS=hunter2"}
	if !slices.Equal(got, want) {
		t.Errorf("ChildEnv with the module's own = %q, want %q", got, want)
	}
}
