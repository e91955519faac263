package engine

import (
	"reflect"
	"syscall"
	"testing"
	"time"

	"svman/manifest"
)

func mod(name string, edit ...func(*manifest.Module)) manifest.Module {
	m := manifest.Module{
		Name:        name,
		Command:     []string{"/bin/sleep", "1000"},
		Dir:         "/srv",
		Env:         map[string]string{"A": "1"},
		Autostart:   true,
		StopSignal:  syscall.SIGTERM,
		StopTimeout: 10 * time.Second,
		Restart:     manifest.Restart{Policy: manifest.RestartAlways, Delay: time.Second},
		Alarm:       manifest.Alarm{Interval: time.Minute},
	}
	for _, e := range edit {
		e(&m)
	}
	return m
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name             string
		running, desired []manifest.Module
		want             Plan
	}{
		{"first apply adds all", nil, []manifest.Module{mod("a"), mod("b")}, Plan{Add: []string{"a", "b"}}},
		{"nothing changed", []manifest.Module{mod("a")}, []manifest.Module{mod("a")}, Plan{Keep: []string{"a"}}},
		{"removed", []manifest.Module{mod("a"), mod("b")}, []manifest.Module{mod("b")}, Plan{Remove: []string{"a"}, Keep: []string{"b"}}},
		{"rename is remove plus add", []manifest.Module{mod("a")}, []manifest.Module{mod("z")}, Plan{Add: []string{"z"}, Remove: []string{"a"}}},
		{"env restarts", []manifest.Module{mod("a")}, []manifest.Module{mod("a", func(m *manifest.Module) { m.Env = map[string]string{"A": "2"} })}, Plan{Restart: []string{"a"}}},
		{"command restarts", []manifest.Module{mod("a")}, []manifest.Module{mod("a", func(m *manifest.Module) { m.Command = []string{"/bin/true"} })}, Plan{Restart: []string{"a"}}},
		{"dir restarts", []manifest.Module{mod("a")}, []manifest.Module{mod("a", func(m *manifest.Module) { m.Dir = "/tmp" })}, Plan{Restart: []string{"a"}}},
		{"stop signal restarts", []manifest.Module{mod("a")}, []manifest.Module{mod("a", func(m *manifest.Module) { m.StopSignal = syscall.SIGINT })}, Plan{Restart: []string{"a"}}},
		{"autostart restarts", []manifest.Module{mod("a")}, []manifest.Module{mod("a", func(m *manifest.Module) { m.Autostart = false })}, Plan{Restart: []string{"a"}}},
		{"restart delay in place", []manifest.Module{mod("a")}, []manifest.Module{mod("a", func(m *manifest.Module) { m.Restart.Delay = 5 * time.Second })}, Plan{Update: []string{"a"}}},
		{"alarm in place", []manifest.Module{mod("a")}, []manifest.Module{mod("a", func(m *manifest.Module) { m.Alarm.MaxTries = 3 })}, Plan{Update: []string{"a"}}},
		{"stop timeout in place", []manifest.Module{mod("a")}, []manifest.Module{mod("a", func(m *manifest.Module) { m.StopTimeout = time.Second })}, Plan{Update: []string{"a"}}},
		{"depends_on in place", []manifest.Module{mod("a"), mod("b")}, []manifest.Module{mod("a"), mod("b", dependsOnA)}, Plan{Keep: []string{"a"}, Update: []string{"b"}}},
		{"condition in place", []manifest.Module{mod("a"), mod("b", dependsOnA)}, []manifest.Module{mod("a"), mod("b", func(m *manifest.Module) { m.DependsOn = map[string]manifest.Condition{"a": manifest.CondHealthy} })}, Plan{Keep: []string{"a"}, Update: []string{"b"}}},
		{"on_dependency_restart in place", []manifest.Module{mod("a")}, []manifest.Module{mod("a", func(m *manifest.Module) { m.OnDependencyRestart = manifest.DepRestart })}, Plan{Update: []string{"a"}}},
		{"new ready probe in place", []manifest.Module{mod("a")}, []manifest.Module{mod("a", readyTCP)}, Plan{Update: []string{"a"}}},
		{"changed ready probe in place", []manifest.Module{mod("a", readyTCP)}, []manifest.Module{mod("a", readyTCP, func(m *manifest.Module) { m.Ready.Probe = manifest.Probe{Exec: []string{"/bin/true"}} })}, Plan{Update: []string{"a"}}},
		{"ready timing in place", []manifest.Module{mod("a", readyTCP)}, []manifest.Module{mod("a", readyTCP, func(m *manifest.Module) { m.Ready.Timeout = time.Hour; m.Ready.OnTimeout = manifest.ReadyTimeoutKeep })}, Plan{Update: []string{"a"}}},
		{"ready block removed in place", []manifest.Module{mod("a", readyTCP)}, []manifest.Module{mod("a")}, Plan{Update: []string{"a"}}},
		{"health in place", []manifest.Module{mod("a")}, []manifest.Module{mod("a", func(m *manifest.Module) {
			m.Health = &manifest.Health{Probe: manifest.Probe{HTTP: "http://127.0.0.1/"}, Interval: time.Second, Timeout: time.Second, Failures: 3}
		})}, Plan{Update: []string{"a"}}},
		{"notify restarts", []manifest.Module{mod("a", readyTCP)}, []manifest.Module{mod("a", readyNotify)}, Plan{Restart: []string{"a"}}},
		{"notify added restarts", []manifest.Module{mod("a")}, []manifest.Module{mod("a", readyNotify)}, Plan{Restart: []string{"a"}}},
		{"watchdog restarts", []manifest.Module{mod("a", readyNotify)}, []manifest.Module{mod("a", readyNotify, func(m *manifest.Module) { m.Ready.Watchdog = time.Minute })}, Plan{Restart: []string{"a"}}},
		{"notification fd restarts", []manifest.Module{mod("a", readyTCP)}, []manifest.Module{mod("a", readyTCP, func(m *manifest.Module) { m.Ready.Probe = manifest.Probe{}; m.Ready.NotificationFD = 3 })}, Plan{Restart: []string{"a"}}},
		{"notification fd removed restarts", []manifest.Module{mod("a", readyTCP, func(m *manifest.Module) { m.Ready.NotificationFD = 3 })}, []manifest.Module{mod("a")}, Plan{Restart: []string{"a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(tt.running, tt.desired)
			got.Changed, got.EnvKeys = nil, nil // checked in TestDiffNamesWhatChanged, TestPlanNamesChangedEnvKeys
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Diff = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func dependsOnA(m *manifest.Module) {
	m.DependsOn = map[string]manifest.Condition{"a": manifest.CondReady}
}

func readyTCP(m *manifest.Module) {
	m.Ready = &manifest.Ready{Probe: manifest.Probe{TCP: "127.0.0.1:9000"}, Timeout: time.Minute, Interval: time.Second, OnTimeout: manifest.ReadyTimeoutRestart}
}

func readyNotify(m *manifest.Module) {
	m.Ready = &manifest.Ready{Notify: true, Watchdog: 30 * time.Second, Timeout: time.Minute, Interval: time.Second, OnTimeout: manifest.ReadyTimeoutRestart}
}

func TestPlanString(t *testing.T) {
	p := Plan{Add: []string{"api", "db"}, Remove: []string{"old"}, Restart: []string{"web"}, Update: []string{"cron"}, Keep: []string{"x", "y"},
		Changed: map[string][]string{"web": {"env", "dir"}, "cron": {"restart"}}}
	want := "+2 -1 ~2 (2 unchanged): +api +db -old ~web (env, dir) ~cron (in place: restart)"
	if got := p.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestDiffNamesWhatChanged(t *testing.T) {
	old := []manifest.Module{mod("a"), mod("b")}
	desired := []manifest.Module{
		mod("a", func(m *manifest.Module) { m.Env = map[string]string{"A": "2"}; m.Restart.Delay = 0 }),
		mod("b", func(m *manifest.Module) { m.StopTimeout = time.Second; m.Alarm.Mail = []string{"x@example.com"} }),
	}
	p := Diff(old, desired)
	want := map[string][]string{"a": {"env", "restart"}, "b": {"stop_timeout", "alarm"}}
	if !reflect.DeepEqual(p.Changed, want) {
		t.Errorf("Changed = %v, want %v", p.Changed, want)
	}
	if !reflect.DeepEqual(p.Restart, []string{"a"}) || !reflect.DeepEqual(p.Update, []string{"b"}) {
		t.Errorf("plan = %+v", p)
	}
}

// A plan names the readiness settings that changed; a ready block's notify,
// watchdog and notification fd apart from its probe, since only they restart.
func TestDiffNamesReadinessChanges(t *testing.T) {
	old := []manifest.Module{mod("a"), mod("b", readyTCP), mod("c", readyTCP)}
	desired := []manifest.Module{
		mod("a", dependsOnA, func(m *manifest.Module) { m.OnDependencyRestart = manifest.DepRestart }),
		mod("b", readyNotify),
		mod("c", readyTCP, func(m *manifest.Module) {
			m.Ready.NotificationFD = 3
			m.Health = &manifest.Health{Probe: manifest.Probe{TCP: "127.0.0.1:9000"}, Interval: time.Second, Timeout: time.Second, Failures: 1}
		}),
	}
	p := Diff(old, desired)
	want := map[string][]string{
		"a": {"depends_on", "on_dependency_restart"},
		"b": {"ready", "notify"},
		"c": {"notification_fd", "health"},
	}
	if !reflect.DeepEqual(p.Changed, want) {
		t.Errorf("Changed = %v, want %v", p.Changed, want)
	}
	if !reflect.DeepEqual(p.Restart, []string{"b", "c"}) || !reflect.DeepEqual(p.Update, []string{"a"}) {
		t.Errorf("plan = %+v", p)
	}
}
