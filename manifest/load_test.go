package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// builtin is the module Load makes from `module NAME { command = argv }` in a
// manifest in dir, with no defaults block: every built-in default applied.
func builtin(dir, name string, argv ...string) Module {
	return Module{
		Name:                name,
		Command:             argv,
		Dir:                 dir,
		Autostart:           true,
		StopSignal:          syscall.SIGTERM,
		StopTimeout:         10 * time.Second,
		Restart:             Restart{Policy: RestartAlways, Delay: time.Second, MaxDelay: time.Minute, MinUptime: time.Second, ExitCodes: []int{0}},
		Alarm:               Alarm{Interval: time.Minute},
		Log:                 Log{Timestamps: true, MaxSize: 50e6, Keep: 10},
		OnDependencyRestart: DepIgnore,
	}
}

// with returns m changed by edit, to write expected modules as differences.
func with(m Module, edit func(*Module)) Module {
	edit(&m)
	return m
}

// TestLoadValid loads good manifests (see runValid).
func TestLoadValid(t *testing.T) {
	t.Setenv("SVMAN_TEST_SET", "from-env")
	t.Setenv("SVMAN_TEST_EMPTY", "")
	t.Setenv("SVMAN_TEST_UNSET", "") // so that the cleanup restores it ...
	os.Unsetenv("SVMAN_TEST_UNSET")  // ... after the test sees it unset

	runValid(t, []validCase{{
		name: "empty manifest",
		src:  "",
		want: func(dir string) *Manifest {
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{}}
		},
	}, {
		name: "built-in defaults",
		src:  `module "a" { command = ["/bin/true"] }`,
		want: func(dir string) *Manifest {
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{builtin(dir, "a", "/bin/true")}}
		},
	}, {
		name: "string command runs through the shell, list is exec'd",
		src: `
module "sh" { command = "exec ./worker --queue=default 2>&1" }
module "list" { command = ["sleep", 10, true] }
`,
		want: func(dir string) *Manifest {
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
				with(builtin(dir, "sh", "/bin/sh", "-c", "exec ./worker --queue=default 2>&1"), func(m *Module) { m.Shell = true }),
				builtin(dir, "list", "sleep", "10", "true"),
			}}
		},
	}, {
		name: "defaults merge field by field",
		src: `
defaults {
  dir          = "./d"
  autostart    = false
  stop_signal  = "INT"
  stop_timeout = "3s"
  env          = { A = "1", B = "2" }
  restart {
    policy = "on-failure"
    delay  = "5s"
  }
  alarm {
    interval  = "2m"
    max_tries = 3
    mail      = ["ops@example.com"]
    webhook   = "https://hooks.example.com/x"
  }
}

module "plain" { command = ["p"] }

module "override" {
  command      = ["o"]
  stop_timeout = "1s"
  autostart    = true
  env          = { B = "x", C = "3" }
  restart {
    policy = "never"
  }
  alarm {
    max_tries = 0
    mail      = []
    exec      = ["./notify", "override"]
  }
}

module "null-is-unset" {
  command      = ["n"]
  stop_timeout = null
  dir          = null
}

module "alone" {
  command          = ["a"]
  inherit_defaults = false
}
`,
		want: func(dir string) *Manifest {
			fromDefaults := func(name, cmd string) Module {
				return with(builtin(dir, name, cmd), func(m *Module) {
					m.Dir = filepath.Join(dir, "d")
					m.Autostart = false
					m.StopSignal = syscall.SIGINT
					m.StopTimeout = 3 * time.Second
					m.Env = map[string]string{"A": "1", "B": "2"}
					m.Restart.Policy = RestartOnFailure
					m.Restart.Delay = 5 * time.Second
					m.Alarm = Alarm{Interval: 2 * time.Minute, MaxTries: 3, Mail: []string{"ops@example.com"}, Webhook: "https://hooks.example.com/x"}
				})
			}
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
				fromDefaults("plain", "p"),
				with(fromDefaults("override", "o"), func(m *Module) {
					m.StopTimeout = time.Second
					m.Autostart = true
					m.Env = map[string]string{"A": "1", "B": "x", "C": "3"}
					m.Restart.Policy = RestartNever // the defaults' delay stays
					m.Alarm.MaxTries = 0
					m.Alarm.Mail = nil
					m.Alarm.Exec = []string{filepath.Join(dir, "notify"), "override"}
				}),
				fromDefaults("null-is-unset", "n"),
				builtin(dir, "alone", "a"),
			}}
		},
	}, {
		name: "relative and absolute paths",
		src: `
status_dir = "var/../run//status/"
module "rel" {
  command = ["x"]
  dir     = "sub/./site"
}
module "abs" {
  command = ["x"]
  dir     = "/srv//app/"
}
module "up" {
  command = ["x"]
  dir     = ".."
}
`,
		want: func(dir string) *Manifest {
			return &Manifest{StatusDir: filepath.Join(dir, "run", "status"), Modules: []Module{
				with(builtin(dir, "rel", "x"), func(m *Module) { m.Dir = filepath.Join(dir, "sub", "site") }),
				with(builtin(dir, "abs", "x"), func(m *Module) { m.Dir = "/srv/app" }),
				with(builtin(dir, "up", "x"), func(m *Module) { m.Dir = filepath.Dir(dir) }),
			}}
		},
	}, {
		name:  "functions",
		files: map[string]string{"token.txt": "s3cret\n", "conf/args.json": `["--a", "--b"]`},
		src: `
module "f" {
  command = concat(["./app"], jsondecode(file("conf/args.json")), [format("--n=%d", max(1, 5))])
  env = merge({ SET = env("SVMAN_TEST_SET") }, {
    UNSET     = env("SVMAN_TEST_UNSET")
    DEFAULTED = env("SVMAN_TEST_UNSET", "dflt")
    EMPTY     = env("SVMAN_TEST_EMPTY", "dflt")
    KEPT      = env("SVMAN_TEST_SET", "dflt")
    TOKEN     = chomp(file("token.txt"))
    JOINED    = join(",", sort(distinct(["b", "a", "b"])))
    UPPER     = upper(trimspace("  x  "))
    LEN       = length(range(3))
    REV       = join("", reverse(["1", "2", "3"]))
  })
}
`,
		want: func(dir string) *Manifest {
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
				with(builtin(dir, "f", "./app", "--a", "--b", "--n=5"), func(m *Module) {
					m.Env = map[string]string{
						"SET": "from-env", "UNSET": "", "DEFAULTED": "dflt", "EMPTY": "dflt", "KEPT": "from-env",
						"TOKEN": "s3cret", "JOINED": "a,b", "UPPER": "X", "LEN": "3", "REV": "321",
					}
				}),
			}}
		},
	}, {
		name: "signal names",
		src: `
module "a" {
  command     = ["x"]
  stop_signal = "sigint"
}
module "b" {
  command     = ["x"]
  stop_signal = "SIGKILL"
}
module "c" {
  command     = ["x"]
  stop_signal = "hup"
}
`,
		want: func(dir string) *Manifest {
			sig := func(name string, s syscall.Signal) Module {
				return with(builtin(dir, name, "x"), func(m *Module) { m.StopSignal = s })
			}
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
				sig("a", syscall.SIGINT), sig("b", syscall.SIGKILL), sig("c", syscall.SIGHUP),
			}}
		},
	}, {
		name: "empty collections are nil and zero durations allowed",
		src: `
module "z" {
  command      = ["x"]
  env          = {}
  stop_timeout = "0s"
  restart {
    delay = "0"
  }
  alarm {
    interval                = "0s"
    max_tries_if_coredumped = 2
    mail                    = []
  }
}
`,
		want: func(dir string) *Manifest {
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
				with(builtin(dir, "z", "x"), func(m *Module) {
					m.StopTimeout = 0
					m.Restart.Delay = 0
					m.Alarm = Alarm{MaxTriesIfCoredumped: 2}
				}),
			}}
		},
		warns: []string{"delay below the restart floor"}, // allowed, but a crash loop still waits
	}, {
		name: "names at the edge of the rule",
		src: `
module "a.b_c-D9" { command = ["x"] }
module "_..-" { command = ["x"] }
module "` + strings.Repeat("n", MaxNameLen) + `" { command = ["x"] }
`,
		want: func(dir string) *Manifest {
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
				builtin(dir, "a.b_c-D9", "x"), builtin(dir, "_..-", "x"), builtin(dir, strings.Repeat("n", MaxNameLen), "x"),
			}}
		},
	}})
}
