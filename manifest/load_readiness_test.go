package manifest

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestLoadReadiness loads depends_on, on_dependency_restart, ready and health
// (see runValid).
func TestLoadReadiness(t *testing.T) {
	runValid(t, []validCase{
		{
			name: "every field written",
			src: `
module "db" {
  command = ["postgres"]
  ready { tcp = "127.0.0.1:5432" }
}
module "migrate" {
  command    = ["./migrate"]
  depends_on = { db = "ready" }
  restart { policy = "on-failure" }
}
module "api" {
  command               = ["./api"]
  depends_on            = { db = "healthy", migrate = "completed" }
  on_dependency_restart = "restart"
  ready {
    http       = "http://127.0.0.1:9000/healthz"
    timeout    = "30s"
    interval   = "200ms"
    on_timeout = "keep"
  }
  health {
    exec     = ["./bin/api", "ping"]
    interval = "5s"
    timeout  = "1s"
    failures = 2
  }
}
`,
			want: func(dir string) *Manifest {
				return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
					with(builtin(dir, "db", "postgres"), func(m *Module) {
						m.Ready = &Ready{Probe: Probe{TCP: "127.0.0.1:5432"}, Timeout: 60 * time.Second, Interval: time.Second, OnTimeout: ReadyTimeoutRestart}
					}),
					with(builtin(dir, "migrate", "./migrate"), func(m *Module) {
						m.DependsOn = map[string]Condition{"db": CondReady}
						m.Restart.Policy = RestartOnFailure
					}),
					with(builtin(dir, "api", "./api"), func(m *Module) {
						m.DependsOn = map[string]Condition{"db": CondHealthy, "migrate": CondCompleted}
						m.OnDependencyRestart = DepRestart
						m.Ready = &Ready{Probe: Probe{HTTP: "http://127.0.0.1:9000/healthz"}, Timeout: 30 * time.Second, Interval: 200 * time.Millisecond, OnTimeout: ReadyTimeoutKeep}
						m.Health = &Health{Probe: Probe{Exec: []string{filepath.Join(dir, "bin", "api"), "ping"}}, Interval: 5 * time.Second, Timeout: time.Second, Failures: 2}
					}),
				}}
			},
		},
		{
			name: "each check kind, with the defaults of the blocks",
			src: `
module "notify" {
  command = ["./n"]
  ready {
    notify   = true
    watchdog = "30s"
  }
}
module "fd" {
  command = ["./f"]
  ready { notification_fd = 3 }
}
module "log" {
  command = ["./l"]
  ready { log = "listening on .*:8080" }
  health { tcp = "[::1]:8080" }
}
module "exec" {
  command = ["./e"]
  ready { exec = ["pg_isready"] }
  health { http = "https://localhost/ping" }
}
`,
			want: func(dir string) *Manifest {
				ready := func(r Ready) *Ready {
					r.Timeout, r.Interval, r.OnTimeout = DefaultReadyTimeout, DefaultReadyInterval, ReadyTimeoutRestart
					return &r
				}
				health := func(p Probe) *Health {
					return &Health{Probe: p, Interval: 10 * time.Second, Timeout: 2 * time.Second, Failures: 3}
				}
				return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
					with(builtin(dir, "notify", "./n"), func(m *Module) { m.Ready = ready(Ready{Notify: true, Watchdog: 30 * time.Second}) }),
					with(builtin(dir, "fd", "./f"), func(m *Module) { m.Ready = ready(Ready{NotificationFD: 3}) }),
					with(builtin(dir, "log", "./l"), func(m *Module) {
						m.Ready = ready(Ready{Probe: Probe{Log: "listening on .*:8080"}})
						m.Health = health(Probe{TCP: "[::1]:8080"})
					}),
					with(builtin(dir, "exec", "./e"), func(m *Module) {
						m.Ready = ready(Ready{Probe: Probe{Exec: []string{"pg_isready"}}}) // a bare name is looked up in PATH
						m.Health = health(Probe{HTTP: "https://localhost/ping"})
					}),
				}}
			},
		},
		{
			name: "on_dependency_restart is inherited from defaults",
			src: `
defaults {
  on_dependency_restart = "restart"
}
module "db" {
  command = ["db"]
}
module "web" {
  command    = ["web"]
  depends_on = { db = "started" }
}
module "own" {
  command               = ["own"]
  depends_on            = { db = "started" }
  on_dependency_restart = "ignore"
}
module "alone" {
  command          = ["alone"]
  inherit_defaults = false
}
`,
			want: func(dir string) *Manifest {
				restart := func(m *Module) { m.OnDependencyRestart = DepRestart }
				started := map[string]Condition{"db": CondStarted}
				return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
					with(builtin(dir, "db", "db"), restart),
					with(builtin(dir, "web", "web"), func(m *Module) { restart(m); m.DependsOn = started }),
					with(builtin(dir, "own", "own"), func(m *Module) { m.DependsOn = started }),
					builtin(dir, "alone", "alone"),
				}}
			},
		},
		{
			name: "a manual module may depend on another, with a warning",
			src: `
module "db" {
  command   = ["db"]
  autostart = false
}
module "report" {
  command    = ["report"]
  autostart  = false
  depends_on = { db = "ready" }
}
module "empty" {
  command    = ["empty"]
  depends_on = {}
}
`,
			want: func(dir string) *Manifest {
				manual := func(m *Module) { m.Autostart = false }
				return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
					with(builtin(dir, "db", "db"), manual),
					with(builtin(dir, "report", "report"), func(m *Module) { manual(m); m.DependsOn = map[string]Condition{"db": CondReady} }),
					builtin(dir, "empty", "empty"),
				}}
			},
			warns: []string{"Dependency on a module that does not start"},
		},
	})
}

// A loaded manifest's layers hold every module: Load refuses what would leave
// one out.
func TestLoadedLayers(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"supervise.hcl": `
module "api" {
  command    = ["api"]
  depends_on = { db = "ready", cache = "started" }
}
module "db" {
  command = ["db"]
}
module "cache" {
  command = ["cache"]
}
module "worker" {
  command    = ["worker"]
  depends_on = { api = "healthy" }
}
`})
	m, err := Load(filepath.Join(dir, "supervise.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"db", "cache"}, {"api"}, {"worker"}}
	if got := m.Layers(); !reflect.DeepEqual(got, want) {
		t.Errorf("Layers() = %q, want %q", got, want)
	}
	if got := m.Dependents("db"); !reflect.DeepEqual(got, []string{"api"}) {
		t.Errorf("Dependents(db) = %q, want [api]", got)
	}
}
