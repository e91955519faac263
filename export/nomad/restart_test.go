package nomad

import (
	"fmt"
	"testing"
	"time"

	"svman/manifest"
)

// policyOf is a module with svman's defaults and the given restart and
// alarm settings (a zero field keeps svman's default).
func policyOf(policy manifest.RestartPolicy, delay, maxDelay time.Duration, window time.Duration, maxTries, cores int) manifest.Module {
	m := manifest.Module{
		Restart: manifest.Restart{Policy: policy, Delay: time.Second, MaxDelay: time.Minute, MinUptime: time.Second, ExitCodes: []int{0}},
		Alarm:   manifest.Alarm{Interval: window, MaxTries: maxTries, MaxTriesIfCoredumped: cores},
	}
	if delay != 0 {
		m.Restart.Delay = delay
	}
	if maxDelay != 0 {
		m.Restart.MaxDelay = maxDelay
	}
	return m
}

// Each restart and alarm setting: what the manifest means, and the
// restart block that carries it, said on both sides.
func TestRestartOf(t *testing.T) {
	tests := []struct {
		svman string // what the manifest means
		mod   manifest.Module
		nomad string // what the restart block does
		want  RestartPolicy
	}{
		{
			"always, never gives up (the defaults: window 60s, no max_tries); crash loop waits 1s, 2s, 4s, ... up to 1m",
			policyOf(manifest.RestartAlways, 0, 0, 60*time.Second, 0, 0),
			"5 restarts 1s apart within a minute (svman's crash loop starts at 1, 3, 7, 15, 31s), then waits out the minute, for ever",
			RestartPolicy{Attempts: new(5), Interval: int64(time.Minute), Delay: int64(time.Second), Mode: modeDelay},
		},
		{
			"always; gives up after more than 10 exits within 60s",
			policyOf(manifest.RestartAlways, 0, 0, 60*time.Second, 10, 0),
			"10 restarts within 60s, the 11th exit fails the task",
			RestartPolicy{Attempts: new(10), Interval: int64(time.Minute), Delay: int64(time.Second), Mode: modeFail},
		},
		{
			"on-failure; gives up after more than 3 exits within 30s",
			policyOf(manifest.RestartOnFailure, 2*time.Second, 0, 30*time.Second, 3, 0),
			"3 restarts 2s apart within 30s, then the task fails",
			RestartPolicy{Attempts: new(3), Interval: int64(30 * time.Second), Delay: int64(2 * time.Second), Mode: modeFail},
		},
		{
			"never restarts, whatever the alarm says",
			policyOf(manifest.RestartNever, 0, 0, 60*time.Second, 10, 0),
			"no restart: the first exit ends the task",
			RestartPolicy{Attempts: new(0), Interval: int64(time.Minute), Delay: int64(time.Second), Mode: modeFail},
		},
		{
			"never, and no alarm window",
			policyOf(manifest.RestartNever, 0, 0, 0, 0, 0),
			"no restart",
			RestartPolicy{Attempts: new(0), Interval: int64(time.Minute), Delay: int64(time.Second), Mode: modeFail},
		},
		{
			"alarm interval 0: alarms and try limits off, max_tries ignored; never gives up",
			policyOf(manifest.RestartAlways, 0, 0, 0, 10, 0),
			"restarts for ever, as with no limit",
			RestartPolicy{Attempts: new(5), Interval: int64(time.Minute), Delay: int64(time.Second), Mode: modeDelay},
		},
		{
			"gives up after more than 4 exits within 2s",
			policyOf(manifest.RestartAlways, 0, 0, 2*time.Second, 4, 0),
			"4 restarts within 5s (Nomad's least interval), then the task fails",
			RestartPolicy{Attempts: new(4), Interval: int64(5 * time.Second), Delay: int64(time.Second), Mode: modeFail},
		},
		{
			"gives up after more than 100 exits within 60s; a restart waits 1s",
			policyOf(manifest.RestartAlways, 0, 0, 60*time.Second, 100, 0),
			"100 restarts within 60s need a delay of at most 600ms",
			RestartPolicy{Attempts: new(100), Interval: int64(time.Minute), Delay: int64(600 * time.Millisecond), Mode: modeFail},
		},
		{
			"delay 0s counts as svman's 1s floor; max_delay 3s",
			policyOf(manifest.RestartAlways, time.Nanosecond, 3*time.Second, 60*time.Second, 0, 0),
			"interval 5s (Nomad's least), in which svman's crash loop starts at 1s and 3s (then 6s): 2 restarts",
			RestartPolicy{Attempts: new(2), Interval: int64(5 * time.Second), Delay: int64(time.Second), Mode: modeDelay},
		},
		{
			"delay 10s, max_delay 10m: the crash loop waits 10s, 20s, 40s, ... up to 10m",
			policyOf(manifest.RestartAlways, 10*time.Second, 10*time.Minute, 60*time.Second, 0, 0),
			"5 restarts 10s apart within 10m (svman's crash loop starts at 10, 30, 70, 150, 310s), then waits out the 10m",
			RestartPolicy{Attempts: new(5), Interval: int64(10 * time.Minute), Delay: int64(10 * time.Second), Mode: modeDelay},
		},
		{
			"gives up only after more than 2 core dumps within 60s: plain exits are never limited",
			policyOf(manifest.RestartAlways, 0, 0, 60*time.Second, 0, 2),
			"Nomad cannot tell a core dump apart: restarts for ever",
			RestartPolicy{Attempts: new(5), Interval: int64(time.Minute), Delay: int64(time.Second), Mode: modeDelay},
		},
	}
	for _, tt := range tests {
		t.Run(tt.svman, func(t *testing.T) {
			got := restartOf(tt.mod)
			if fmt.Sprint(got.Attempts != nil && *got.Attempts == *tt.want.Attempts, got.Interval, got.Delay, got.Mode) !=
				fmt.Sprint(true, tt.want.Interval, tt.want.Delay, tt.want.Mode) {
				t.Errorf("the manifest: %s\nthe job should: %s\ngot  attempts %d, interval %s, delay %s, mode %s\nwant attempts %d, interval %s, delay %s, mode %s",
					tt.svman, tt.nomad,
					*got.Attempts, time.Duration(got.Interval), time.Duration(got.Delay), got.Mode,
					*tt.want.Attempts, time.Duration(tt.want.Interval), time.Duration(tt.want.Delay), tt.want.Mode)
			}
			if err := nomadAccepts(got); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestRestartOfValid checks every restart block of a grid of settings
// against the rules Nomad's server validates one by.
func TestRestartOfValid(t *testing.T) {
	durations := []time.Duration{0, time.Nanosecond, 500 * time.Millisecond, time.Second, 3 * time.Second, time.Minute, 7 * time.Hour}
	for _, policy := range []manifest.RestartPolicy{manifest.RestartAlways, manifest.RestartOnFailure, manifest.RestartNever} {
		for _, delay := range durations {
			for _, maxDelay := range durations {
				for _, window := range durations {
					for _, tries := range []int{0, 1, 7, 1000, 1 << 40} {
						m := policyOf(policy, delay, maxDelay, window, tries, 0)
						if err := nomadAccepts(restartOf(m)); err != nil {
							t.Errorf("%s delay %s max_delay %s, %d tries in %s: %v", policy, delay, maxDelay, tries, window, err)
						}
					}
				}
			}
		}
	}
}

// nomadAccepts is nomad/structs' RestartPolicy.Validate.
func nomadAccepts(p RestartPolicy) error {
	switch {
	case p.Mode != modeDelay && p.Mode != modeFail:
		return fmt.Errorf("mode %q", p.Mode)
	case *p.Attempts == 0 && p.Mode != modeFail:
		return fmt.Errorf("mode %q with 0 attempts is ambiguous", p.Mode)
	case time.Duration(p.Interval) < minRestartInterval:
		return fmt.Errorf("interval %s under 5s", time.Duration(p.Interval))
	case time.Duration(*p.Attempts)*time.Duration(p.Delay) > time.Duration(p.Interval):
		return fmt.Errorf("%d restarts with delay %s do not fit in %s", *p.Attempts, time.Duration(p.Delay), time.Duration(p.Interval))
	case p.Delay < 0:
		return fmt.Errorf("delay %d", p.Delay)
	}
	return nil
}

func TestCrashLoopStarts(t *testing.T) {
	tests := []struct {
		delay, maxDelay, window time.Duration
		want                    int
	}{
		{time.Second, time.Minute, time.Minute, 5},          // 1, 3, 7, 15, 31
		{time.Second, 2 * time.Second, 5 * time.Second, 3},  // 1, 3, 5
		{time.Minute, time.Minute, time.Minute, 1},          // 60
		{2 * time.Minute, 2 * time.Minute, time.Minute, 1},  // none fits: at least 1
		{time.Second, 4 * time.Second, 20 * time.Second, 6}, // 1, 3, 7, 11, 15, 19
	}
	for _, tt := range tests {
		if got := crashLoopStarts(tt.delay, tt.maxDelay, tt.window); got != tt.want {
			t.Errorf("crashLoopStarts(%s, %s, %s) = %d, want %d", tt.delay, tt.maxDelay, tt.window, got, tt.want)
		}
	}
}
