package manifest

import (
	"path/filepath"
	"testing"
	"time"
)

// ptr returns a pointer to v, for expected Limits.
func ptr(v uint64) *uint64 { return &v }

// TestLoadSettings loads good manifests using restart backoff, on_exit, limits,
// log and smtp (see runValid).
func TestLoadSettings(t *testing.T) {
	t.Setenv("SVMAN_TEST_PASSWORD", "pw")
	runValid(t, []validCase{{
		name: "restart settings and their defaults",
		src: `
module "set" {
  command = ["x"]
  restart {
    delay        = "2s"
    max_delay    = "5m"
    stable_after = "0s"
    exit_codes   = [2, 0, "1", 2]
  }
}
module "long-delay" {
  command = ["x"]
  restart {
    delay = "2m"
  }
}
module "equal" {
  command = ["x"]
  restart {
    delay     = "0s"
    max_delay = "0s"
  }
}
`,
		want: func(dir string) *Manifest {
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
				with(builtin(dir, "set", "x"), func(m *Module) {
					m.Restart = Restart{Policy: RestartAlways, Delay: 2 * time.Second, MaxDelay: 5 * time.Minute, ExitCodes: []int{0, 1, 2}}
				}),
				with(builtin(dir, "long-delay", "x"), func(m *Module) {
					m.Restart.Delay = 2 * time.Minute
					m.Restart.MaxDelay = 2 * time.Minute // max_delay's default follows a longer delay
				}),
				with(builtin(dir, "equal", "x"), func(m *Module) { m.Restart.Delay, m.Restart.MaxDelay = 0, 0 }),
			}}
		},
		// Values below the floor are kept as written (the engine raises them) and
		// each is warned of once; so is stable_after, min_uptime's former name.
		warns: []string{"stable_after is now min_uptime", "min_uptime below the restart floor",
			"delay below the restart floor", "max_delay below the restart floor"},
	}, {
		name: "restart, on_exit and limits merge with defaults",
		src: `
defaults {
  on_exit = ["./bin/cleanup", "--all"]
  restart {
    max_delay  = "10m"
    min_uptime = "1m"
    exit_codes = [0, 3]
  }
  limits {
    core   = "unlimited"
    nofile = 4096
  }
}
module "inherits" {
  command = ["x"]
  restart {
    delay = "5m"
  }
  limits {
    nofile  = "8192"
    memlock = "64k"
  }
}
module "overrides" {
  command = ["x"]
  on_exit = ["logger", "exited"]
  restart {
    exit_codes = [1]
  }
}
module "alone" {
  command          = ["x"]
  inherit_defaults = false
}
`,
		want: func(dir string) *Manifest {
			inherited := func(name string) Module {
				return with(builtin(dir, name, "x"), func(m *Module) {
					m.OnExit = []string{filepath.Join(dir, "bin", "cleanup"), "--all"}
					m.Restart.MaxDelay = 10 * time.Minute
					m.Restart.MinUptime = time.Minute
					m.Restart.ExitCodes = []int{0, 3}
					m.Limits = Limits{Core: ptr(Unlimited), NoFile: ptr(4096)}
				})
			}
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
				with(inherited("inherits"), func(m *Module) {
					m.Restart.Delay = 5 * time.Minute
					m.Limits = Limits{Core: ptr(Unlimited), NoFile: ptr(8192), MemLock: ptr(64 << 10)}
				}),
				with(inherited("overrides"), func(m *Module) {
					m.OnExit = []string{"logger", "exited"}
					m.Restart.ExitCodes = []int{1}
				}),
				builtin(dir, "alone", "x"),
			}}
		},
	}, {
		name: "limits in every form",
		src: `
module "numbers" {
  command = ["x"]
  limits {
    core    = 0
    nofile  = 1
    nproc   = 9223372036854775807
    memlock = "1048576"
  }
}
module "words" {
  command = ["x"]
  limits {
    core    = "Unlimited"
    nofile  = " unlimited "
    nproc   = "UNLIMITED"
    memlock = "unlimited"
  }
}
module "sizes" {
  command = ["x"]
  limits {
    core    = "512MB"
    memlock = "1 GiB"
  }
}
`,
		want: func(dir string) *Manifest {
			u := ptr(Unlimited)
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
				with(builtin(dir, "numbers", "x"), func(m *Module) {
					m.Limits = Limits{Core: ptr(0), NoFile: ptr(1), NProc: ptr(1<<63 - 1), MemLock: ptr(1 << 20)}
				}),
				with(builtin(dir, "words", "x"), func(m *Module) { m.Limits = Limits{Core: u, NoFile: u, NProc: u, MemLock: u} }),
				with(builtin(dir, "sizes", "x"), func(m *Module) { m.Limits = Limits{Core: ptr(512e6), MemLock: ptr(1 << 30)} }),
			}}
		},
	}, {
		name: "program paths: relative ones start at the manifest's directory, bare names stay",
		src: `
module "a" {
  command = ["./app"]
  on_exit = ["sub/../bin/after"]
  alarm {
    exec = ["./notify", "./not-the-program"]
  }
}
module "b" {
  command = "./app"
  on_exit = ["/usr/bin/logger", "x"]
  alarm {
    exec = ["mail"]
  }
}
`,
		want: func(dir string) *Manifest {
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
				with(builtin(dir, "a", "./app"), func(m *Module) {
					m.OnExit = []string{filepath.Join(dir, "bin", "after")}
					m.Alarm.Exec = []string{filepath.Join(dir, "notify"), "./not-the-program"}
				}),
				with(builtin(dir, "b", "/bin/sh", "-c", "./app"), func(m *Module) {
					m.Shell = true
					m.OnExit = []string{"/usr/bin/logger", "x"}
					m.Alarm.Exec = []string{"mail"}
				}),
			}}
		},
	}, {
		name: "log settings merge with defaults",
		src: `
defaults {
  log {
    max_size = "1MiB"
    keep     = 3
  }
}
module "inherits" {
  command = ["x"]
  log {
    timestamps = false
  }
}
module "overrides" {
  command = ["x"]
  log {
    max_size = 1000
    keep     = 0
  }
}
module "units" {
  command = ["x"]
  log {
    max_size   = "50 mb"
    keep       = "2"
    timestamps = null
  }
}
module "alone" {
  command          = ["x"]
  inherit_defaults = false
  log {
    max_size = "2GB"
  }
}
`,
		want: func(dir string) *Manifest {
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
				with(builtin(dir, "inherits", "x"), func(m *Module) { m.Log = Log{Timestamps: false, MaxSize: 1 << 20, Keep: 3} }),
				with(builtin(dir, "overrides", "x"), func(m *Module) { m.Log = Log{Timestamps: true, MaxSize: 1000, Keep: 0} }),
				with(builtin(dir, "units", "x"), func(m *Module) { m.Log = Log{Timestamps: true, MaxSize: 50e6, Keep: 2} }),
				with(builtin(dir, "alone", "x"), func(m *Module) { m.Log.MaxSize = 2e9 }),
			}}
		},
	}, {
		name: "smtp with every field",
		src: `
smtp {
  host     = "smtp.example.com"
  port     = "587"
  from     = "Svman <svman@example.com>"
  username = "svman"
  password = env("SVMAN_TEST_PASSWORD")
  starttls = true
}
`,
		want: func(dir string) *Manifest {
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{}, SMTP: SMTP{
				Host: "smtp.example.com", Port: 587, From: "Svman <svman@example.com>",
				Username: "svman", Password: "pw", StartTLS: true,
			}}
		},
	}, {
		name: "smtp fields left out take the defaults",
		src: `
smtp {
  host = "::1"
}
`,
		want: func(dir string) *Manifest {
			s := builtinSMTP()
			s.Host = "::1"
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{}, SMTP: s}
		},
	}, {
		name: "empty smtp credentials mean no login",
		src: `
smtp {
  username = ""
  password = ""
}
`,
		want: func(dir string) *Manifest {
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{}}
		},
	}})
}

// TestLoadNoSharing checks that modules given the same settings by the defaults
// share no memory, so that the engine may keep one module's slices and pointers
// without another's changing under it.
func TestLoadNoSharing(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"supervise.hcl": `
defaults {
  on_exit = ["x"]
  user    = "0"
  umask   = "022"
  restart {
    exit_codes = [0, 1]
  }
  limits {
    nofile = 10
  }
  alarm {
    exec = ["y"]
    mail = ["ops@example.com"]
  }
}
module "a" { command = ["x"] }
module "b" { command = ["x"] }
`})
	m, err := Load(filepath.Join(dir, "supervise.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := m.Modules[0], m.Modules[1]
	if &a.OnExit[0] == &b.OnExit[0] || &a.Restart.ExitCodes[0] == &b.Restart.ExitCodes[0] ||
		a.Limits.NoFile == b.Limits.NoFile || &a.Alarm.Exec[0] == &b.Alarm.Exec[0] || &a.Alarm.Mail[0] == &b.Alarm.Mail[0] ||
		a.User == b.User || a.Umask == b.Umask {
		t.Error("modules share memory")
	}
}

// TestParseLimit covers the units: k, M, G, T and KiB, ... count in 1024s; KB,
// MB, ... in 1000s.
func TestParseLimit(t *testing.T) {
	good := map[string]uint64{
		"0": 0, "42": 42, "42B": 42, "42 b": 42, "unlimited": Unlimited,
		"1k": 1024, "1K": 1024, "1KiB": 1024, "1kib": 1024, "1KB": 1000, "1kb": 1000,
		"2M": 2 << 20, "2MiB": 2 << 20, "2MB": 2e6,
		"3G": 3 << 30, "3GiB": 3 << 30, "3GB": 3e9,
		"4T": 4 << 40, "4TiB": 4 << 40, "4TB": 4e12,
		"8388607T": 8388607 << 40, "9223372036854775807": 1<<63 - 1,
	}
	for s, want := range good {
		if got, bad := parseLimit(s, true); bad != nil || got != want {
			t.Errorf("parseLimit(%q) = %d, %+v; want %d", s, got, bad, want)
		}
	}
	bad := map[string]limitProblem{
		"": limitSyntax, "k": limitSyntax, "1.5G": limitSyntax, "1 G B": limitSyntax, "12x": limitSyntax, "0x10": limitSyntax,
		"-1": limitNegative, "-1k": limitNegative,
		"8388608T": limitTooLarge, "9223372036854775808": limitTooLarge, "99999999999999999999999": limitTooLarge,
	}
	for s, want := range bad {
		if got, b := parseLimit(s, true); b == nil || b.kind != want {
			t.Errorf("parseLimit(%q) = %d, %+v; want problem %d", s, got, b, want)
		}
	}
	if _, b := parseLimit("64k", false); b == nil || b.kind != limitUnit || b.text != "k" {
		t.Errorf("a unit on a count: %+v", b)
	}
	if n, b := parseLimit("64", false); b != nil || n != 64 {
		t.Errorf("a count: %d, %+v", n, b)
	}
}
