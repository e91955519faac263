package engine

import (
	"syscall"
	"testing"
	"time"

	"svman/internal/proc"
	"svman/manifest"
	"svman/statusfs"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func policyModule(edit ...func(*manifest.Module)) manifest.Module {
	m := manifest.Module{
		Name: "m",
		Restart: manifest.Restart{Policy: manifest.RestartAlways, ExitCodes: []int{0},
			Delay: time.Second, MaxDelay: time.Minute, MinUptime: time.Second},
		Alarm: manifest.Alarm{Interval: time.Minute},
	}
	for _, e := range edit {
		e(&m)
	}
	return m
}

func TestDecideRestart(t *testing.T) {
	ok := &proc.ExitStatus{Code: 0}
	fail := &proc.ExitStatus{Code: 3}
	two := &proc.ExitStatus{Code: 2}
	killed := &proc.ExitStatus{Code: -1, Signal: syscall.SIGKILL}
	onFailure := func(m *manifest.Module) { m.Restart.Policy = manifest.RestartOnFailure }
	delay := func(d time.Duration) func(*manifest.Module) {
		return func(m *manifest.Module) { m.Restart.Delay = d }
	}
	tests := []struct {
		name    string
		m       manifest.Module
		want    statusfs.Want
		exit    *proc.ExitStatus
		up      time.Duration // how long the run lasted
		restart bool
		after   time.Duration // restart this long after the exit
	}{
		{"crash right after start waits out the delay", policyModule(), statusfs.WantUp, fail, 100 * time.Millisecond, true, 900 * time.Millisecond},
		{"exit after a long run restarts at once", policyModule(), statusfs.WantUp, ok, time.Hour, true, 0},
		{"a run of exactly min_uptime restarts now", policyModule(), statusfs.WantUp, ok, time.Second, true, 0},
		{"killed after 1.5s restarts now", policyModule(), statusfs.WantUp, killed, 1500 * time.Millisecond, true, 0},
		{"a long delay does not hold back a run that lasted", policyModule(delay(time.Hour), func(m *manifest.Module) { m.Restart.MaxDelay = time.Hour }), statusfs.WantUp, killed, 2 * time.Second, true, 0},
		{"want down never restarts", policyModule(), statusfs.WantDown, fail, time.Hour, false, 0},
		{"run once never restarts", policyModule(), statusfs.WantOnce, fail, time.Hour, false, 0},
		{"on-failure: success stays down", policyModule(onFailure), statusfs.WantUp, ok, time.Hour, false, 0},
		{"on-failure: exit code restarts", policyModule(onFailure), statusfs.WantUp, fail, time.Hour, true, 0},
		{"on-failure: signal restarts", policyModule(onFailure), statusfs.WantUp, killed, time.Hour, true, 0},
		{"on-failure: a listed exit code is success", policyModule(onFailure, func(m *manifest.Module) { m.Restart.ExitCodes = []int{0, 2} }), statusfs.WantUp, two, time.Hour, false, 0},
		{"on-failure: failed start retries", policyModule(onFailure), statusfs.WantUp, nil, 0, true, time.Second},
		{"never", policyModule(func(m *manifest.Module) { m.Restart.Policy = manifest.RestartNever }), statusfs.WantUp, fail, time.Hour, false, 0},
		{"zero delay: a crash still waits the floor", policyModule(delay(0)), statusfs.WantUp, fail, 0, true, manifest.RestartFloor},
		{"zero delay: a run that lasted restarts now", policyModule(delay(0)), statusfs.WantUp, fail, 2 * time.Second, true, 0},
		{"min_uptime 0 counts as the floor", policyModule(func(m *manifest.Module) { m.Restart.MinUptime = 0 }), statusfs.WantUp, fail, 10 * time.Millisecond, true, 990 * time.Millisecond},
		{"failed start with zero delay still waits a second", policyModule(delay(0)), statusfs.WantUp, nil, 0, true, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0.Add(tt.up)
			d := Decide(tt.m, tt.want, History{}, tt.exit, t0, now, 0.5)
			if d.Restart != tt.restart || (d.Restart && d.At.Sub(now) != tt.after) {
				t.Errorf("Decide = restart %v at +%v, want %v at +%v", d.Restart, d.At.Sub(now), tt.restart, tt.after)
			}
		})
	}
}

// runs feeds Decide one run after another, each lasting the next of ups and
// each next start coming when Decide says, and returns how long after each exit
// the next start came, and the last history.
func runs(m manifest.Module, ups []time.Duration, jitter float64) ([]time.Duration, History) {
	var h History
	start := t0
	var waits []time.Duration
	for _, up := range ups {
		exit := start.Add(up)
		d := Decide(m, statusfs.WantUp, h, &proc.ExitStatus{Code: -1, Signal: syscall.SIGKILL}, start, exit, jitter)
		waits = append(waits, d.At.Sub(exit))
		h, start = d.History, d.At
	}
	return waits, h
}

// A module killed again and again after running a while (1.5s, 2s, 10s, ...) is
// restarted at once every time, however often: as daemontools, runit and the
// legacy supervise do. Only the alarm window's max_tries stops it.
func TestDecideRepeatedKillsRestartNow(t *testing.T) {
	m := policyModule(func(m *manifest.Module) { m.Alarm.Interval = 0 })
	ups := []time.Duration{1500 * time.Millisecond, 2 * time.Second, 10 * time.Second}
	for range 10 {
		ups = append(ups, 1500*time.Millisecond, 2*time.Second, 2250*time.Millisecond)
	}
	waits, h := runs(m, ups, 0.5)
	for i, w := range waits {
		if w != 0 {
			t.Errorf("kill %d after a run of %v: next start %v later, want at once (all: %v)", i+1, ups[i], w, waits)
		}
	}
	if h.Fails != 0 {
		t.Errorf("%d crashes counted, want none: every run lasted", h.Fails)
	}

	m = policyModule(func(m *manifest.Module) { m.Alarm.MaxTries = 5 })
	var hist History
	start := t0
	for i := range 6 {
		exit := start.Add(2 * time.Second)
		d := Decide(m, statusfs.WantUp, hist, &proc.ExitStatus{Code: 1}, start, exit, 0.5)
		if want := i == 5; d.GiveUp != want || d.Restart == want || (d.Restart && !d.At.Equal(exit)) {
			t.Errorf("exit %d in the window: %+v, want give up %v, else restart at once", i+1, d, want)
		}
		hist, start = d.History, exit
	}
}

// A crash loop (runs of 10ms) waits delay, 2×delay, 4×... up to max_delay from
// one start to the next; one run that lasted min_uptime ends it: the next start
// is at once, and a new crash starts again from delay.
func TestDecideCrashLoopBacksOff(t *testing.T) {
	m := policyModule(func(m *manifest.Module) { m.Alarm.Interval = 0 })
	var h History
	now := t0
	var gaps []time.Duration
	for range 9 {
		start := now
		now = start.Add(10 * time.Millisecond) // crashes at once
		d := Decide(m, statusfs.WantUp, h, &proc.ExitStatus{Code: 1}, start, now, 0.5)
		gaps = append(gaps, d.At.Sub(start))
		h, now = d.History, d.At
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60}
	for i := range want {
		if gaps[i] != want[i]*time.Second {
			t.Errorf("start %d came %v after the previous, want %v (all: %v)", i+2, gaps[i], want[i]*time.Second, gaps)
		}
	}
	if h.Fails != 9 {
		t.Errorf("crash loop of %d runs, want 9", h.Fails)
	}
	// A run that lasted ends the crash loop.
	start := now
	d := Decide(m, statusfs.WantUp, h, &proc.ExitStatus{Code: 1}, start, start.Add(1500*time.Millisecond), 0.5)
	if d.History.Fails != 0 || !d.At.Equal(start.Add(1500*time.Millisecond)) {
		t.Errorf("after a run that lasted: fails %d, restart at +%v; want 0 and at once", d.History.Fails, d.At.Sub(start))
	}
	start = d.At
	d = Decide(m, statusfs.WantUp, d.History, &proc.ExitStatus{Code: 1}, start, start.Add(10*time.Millisecond), 0.5)
	if d.History.Fails != 1 || !d.At.Equal(start.Add(time.Second)) {
		t.Errorf("a new crash: fails %d, restart at +%v; want 1 and after delay (1s)", d.History.Fails, d.At.Sub(start))
	}
}

// delay = "0s" (and max_delay = "0s") does not spin: a crash loop backs off from
// the floor, one second, as the legacy supervise does.
func TestDecideZeroDelayBacksOffFromTheFloor(t *testing.T) {
	zero := func(m *manifest.Module) { m.Restart.Delay, m.Alarm.Interval = 0, 0 }
	ups := []time.Duration{10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond}
	waits, _ := runs(policyModule(zero), ups, 0.5)
	want := []time.Duration{990, 1990, 3990, 7990}
	for i := range want {
		if waits[i] != want[i]*time.Millisecond {
			t.Errorf("delay 0, crash %d: next start %v after the exit, want %v (all: %v)", i+1, waits[i], want[i]*time.Millisecond, waits)
		}
	}
	flat := func(m *manifest.Module) { m.Restart.MaxDelay = 0 }
	for _, j := range []float64{0, 0.999} {
		waits, _ = runs(policyModule(zero, flat), ups, j)
		for i, w := range waits {
			if w != 990*time.Millisecond {
				t.Errorf("delay 0, max_delay 0, jitter %v, crash %d: next start %v after the exit, want 990ms: one start a second", j, i+1, w)
			}
		}
	}
}

func TestBackoffJitterStaysSmall(t *testing.T) {
	r := manifest.Restart{Delay: time.Second, MaxDelay: time.Minute}
	for _, j := range []float64{0, 0.25, 0.999} {
		if d := backoffDelay(manifest.Restart{}, 5, j); d != manifest.RestartFloor {
			t.Errorf("delay and max_delay 0, fifth crash, jitter %v: %v, want the floor", j, d)
		}
		if d := backoffDelay(r, 1, j); d != time.Second {
			t.Errorf("first delay with jitter %v = %v, want exactly 1s", j, d)
		}
		d := backoffDelay(r, 3, j)
		if d < 3600*time.Millisecond || d > 4400*time.Millisecond {
			t.Errorf("third delay with jitter %v = %v, want 4s ±10%%", j, d)
		}
		if d := backoffDelay(r, 30, j); d > time.Minute {
			t.Errorf("delay %v exceeds max_delay", d)
		}
	}
}

// Only the first exit of a window raises an alarm; more than max_tries exits in a
// window give up; the counters start again in the next window.
func TestDecideAlarmWindow(t *testing.T) {
	m := policyModule(func(m *manifest.Module) { m.Alarm.MaxTries = 3 })
	var h History
	var alarms, gaveUp []int
	for i := range 5 {
		now := t0.Add(time.Duration(i) * 10 * time.Second)
		d := Decide(m, statusfs.WantUp, h, &proc.ExitStatus{Code: 1}, now.Add(-time.Hour), now, 0.5)
		if d.Alarm {
			alarms = append(alarms, i)
		}
		if d.GiveUp {
			gaveUp = append(gaveUp, i)
			if d.Restart {
				t.Errorf("exit %d gave up but restarts", i)
			}
		}
		h = d.History
	}
	if len(alarms) != 1 || alarms[0] != 0 {
		t.Errorf("alarms at exits %v, want only the first", alarms)
	}
	if len(gaveUp) == 0 || gaveUp[0] != 3 {
		t.Errorf("gave up at exits %v, want from the 4th (more than 3 in the window)", gaveUp)
	}
	// The window is over a minute after it opened: a new one, a new alarm, no give-up.
	d := Decide(m, statusfs.WantUp, History{WindowStart: t0, Exits: 3}, &proc.ExitStatus{Code: 1}, t0, t0.Add(61*time.Second), 0.5)
	if !d.Alarm || d.GiveUp || d.History.Exits != 1 {
		t.Errorf("next window: %+v", d)
	}
}

func TestDecideCoreBudget(t *testing.T) {
	m := policyModule(func(m *manifest.Module) { m.Alarm.MaxTriesIfCoredumped = 1 })
	core := &proc.ExitStatus{Code: -1, Signal: syscall.SIGABRT, CoreDumped: true}
	d := Decide(m, statusfs.WantUp, History{}, core, t0.Add(-time.Hour), t0, 0.5)
	if d.GiveUp {
		t.Fatal("gave up after one core dump with a budget of 1")
	}
	d = Decide(m, statusfs.WantUp, d.History, &proc.ExitStatus{Code: 1}, t0, t0.Add(time.Second), 0.5)
	if d.GiveUp {
		t.Fatal("a plain exit spent the core budget")
	}
	d = Decide(m, statusfs.WantUp, d.History, core, t0, t0.Add(2*time.Second), 0.5)
	if !d.GiveUp || d.History.Cores != 2 {
		t.Errorf("second core dump: %+v, want give up", d)
	}
}

func TestDecideExpectedExitsAreNotCounted(t *testing.T) {
	m := policyModule(func(m *manifest.Module) {
		m.Restart.Policy = manifest.RestartOnFailure
		m.Alarm.MaxTries = 1
	})
	var h History
	for range 3 {
		d := Decide(m, statusfs.WantUp, h, &proc.ExitStatus{Code: 0}, t0, t0.Add(time.Second), 0.5)
		if d.Alarm || d.GiveUp {
			t.Fatalf("a successful exit under on-failure alarmed or gave up: %+v", d)
		}
		h = d.History
	}
	// interval 0: no alarms, no limits.
	off := policyModule(func(m *manifest.Module) { m.Alarm = manifest.Alarm{Interval: 0, MaxTries: 1} })
	h = History{}
	for range 3 {
		d := Decide(off, statusfs.WantUp, h, &proc.ExitStatus{Code: 1}, t0, t0.Add(time.Second), 0.5)
		if d.Alarm || d.GiveUp || !d.Restart {
			t.Fatalf("interval 0: %+v", d)
		}
		h = d.History
	}
}
