package engine

import (
	"syscall"
	"testing"
	"time"

	"svman/manifest"
	"svman/statusfs"
)

func TestNextStart(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	ok := &ExitStatus{Code: 0}
	fail := &ExitStatus{Code: 3}
	killed := &ExitStatus{Code: -1, Signal: syscall.SIGKILL}
	always := manifest.Restart{Policy: manifest.RestartAlways, Delay: time.Second}
	onFailure := manifest.Restart{Policy: manifest.RestartOnFailure, Delay: time.Second}
	never := manifest.Restart{Policy: manifest.RestartNever, Delay: time.Second}
	tests := []struct {
		name      string
		r         manifest.Restart
		want      statusfs.Want
		exit      *ExitStatus
		lastStart time.Time
		now       time.Time
		restart   bool
		at        time.Time
	}{
		{"crash right after start waits out the delay", always, statusfs.WantUp, fail, t0, t0.Add(100 * time.Millisecond), true, t0.Add(time.Second)},
		{"exit after a long run restarts at once", always, statusfs.WantUp, ok, t0, t0.Add(time.Hour), true, t0.Add(time.Hour)},
		{"exactly at the delay restarts now", always, statusfs.WantUp, ok, t0, t0.Add(time.Second), true, t0.Add(time.Second)},
		{"want down never restarts", always, statusfs.WantDown, fail, t0, t0.Add(time.Hour), false, time.Time{}},
		{"run once never restarts", always, statusfs.WantOnce, fail, t0, t0.Add(time.Hour), false, time.Time{}},
		{"on-failure: success stays down", onFailure, statusfs.WantUp, ok, t0, t0.Add(time.Hour), false, time.Time{}},
		{"on-failure: exit code restarts", onFailure, statusfs.WantUp, fail, t0, t0.Add(time.Hour), true, t0.Add(time.Hour)},
		{"on-failure: signal restarts", onFailure, statusfs.WantUp, killed, t0, t0.Add(time.Hour), true, t0.Add(time.Hour)},
		{"on-failure: failed start retries", onFailure, statusfs.WantUp, nil, t0, t0, true, t0.Add(time.Second)},
		{"failed start with zero delay still waits a second", manifest.Restart{Policy: manifest.RestartAlways}, statusfs.WantUp, nil, t0, t0, true, t0.Add(time.Second)},
		{"never", never, statusfs.WantUp, fail, t0, t0.Add(time.Hour), false, time.Time{}},
		{"zero delay", manifest.Restart{Policy: manifest.RestartAlways}, statusfs.WantUp, fail, t0, t0, true, t0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			restart, at := nextStart(tt.r, tt.want, tt.exit, tt.lastStart, tt.now)
			if restart != tt.restart || !at.Equal(tt.at) {
				t.Errorf("nextStart = (%v, %v), want (%v, %v)", restart, at, tt.restart, tt.at)
			}
		})
	}
}
