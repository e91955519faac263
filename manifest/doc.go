// Package manifest reads supervise.hcl: it parses the HCL, decodes it with go-cty,
// applies defaults, validates every field and returns plain Module values, or
// diagnostics that point at file:line:col.
//
// # Format
//
//	status_dir = "./status"   # default "./status"; module NAME keeps its state in status_dir/NAME/
//
//	smtp {                    # at most one, at the top level only: how alarm mail is sent
//	  host     = "smtp.example.com"     # default "127.0.0.1"
//	  port     = 587                    # default 25
//	  from     = "svman@example.com"    # default "svman@" + the host's name
//	  username = "svman"                # optional; username and password go together
//	  password = env("SMTP_PASSWORD")
//	  starttls = true                   # default false
//	}
//
//	defaults {                # at most one; applies to every module without inherit_defaults = false
//	  stop_timeout = "10s"
//	  on_exit      = ["./bin/cleanup"]  # run after every exit of a module, before the restart
//	  restart {
//	    policy = "always"
//	    delay  = "1s"
//	  }
//	  limits {
//	    nofile = 65536
//	  }
//	  log {                   # the modules' __stdout and __stderr
//	    max_size = "100MB"
//	  }
//	}
//
//	module "web" {            # name: [A-Za-z0-9_][A-Za-z0-9_.-]*, at most 255 bytes
//	  command   = ["python3", "-m", "http.server", "8080"]  # a list is exec'd directly
//	  dir       = "./site"                                  # default: the manifest's directory
//	  env       = { PORT = "8080", HOME = env("HOME") }
//	  env_file  = [".env?"]                                 # env files' variables, under env; "?": may be missing
//	  env_clear = true                                      # default false: env adds to svman's environment
//	  ready {                             # when the module is ready; without it, once started
//	    http     = "http://127.0.0.1:8080/" # or tcp, exec, log, notify = true, notification_fd
//	    timeout  = "60s"                  # default "60s"; then a not_ready alarm and on_timeout
//	    interval = "1s"                   # default "1s": the longest wait between two attempts
//	  }
//	  health {                            # liveness, once ready
//	    tcp      = "127.0.0.1:8080"       # or exec, http
//	    failures = 3                      # default 3 failed checks in a row restart the module
//	  }
//	}
//
//	module "worker" {
//	  command      = "exec ./worker 2>&1"  # a string runs through /bin/sh -c
//	  autostart    = false                 # default true
//	  stop_signal  = "INT"                 # default "TERM"; "SIGINT" and "int" work too
//	  stop_timeout = "30s"                 # default "10s"
//	  user         = "1000"                # a name ("www-data") or an id; default: svman's own
//	  group        = "1000"                # default: the user's primary group
//	  umask        = "027"                 # octal digits in quotes; default: svman's
//	  depends_on   = { web = "ready" }     # started | ready | completed | healthy
//	  on_dependency_restart = "restart"    # default "ignore": keep running when web restarts
//	  restart {
//	    policy       = "on-failure"       # always (default) | on-failure | never
//	    exit_codes   = [0, 3]             # default [0]: the exit codes that mean success
//	    delay        = "2s"               # default "1s": a crash loop's first wait
//	    max_delay    = "5m"               # default "1m", or delay if longer
//	    min_uptime   = "10s"              # default "1s": a shorter run is a crash
//	  }
//	  limits {                            # each limit left out keeps svman's own
//	    core    = "unlimited"
//	    nofile  = 4096
//	    nproc   = "unlimited"
//	    memlock = "64MiB"
//	  }
//	  alarm {
//	    interval                = "60s"   # default "60s"; "0s" (off) or at least "1s"
//	    max_tries               = 10      # 0 (default): no limit
//	    max_tries_if_coredumped = 5
//	    mail    = ["ops@example.com"]
//	    exec    = ["./notify", "worker"]
//	    webhook = "http://127.0.0.1:9000/hook"
//	  }
//	  log {
//	    timestamps = false                # default true
//	    max_size   = "10MiB"              # default "50MB"
//	    keep       = 3                    # default 10
//	  }
//	}
//
// HCL allows only one argument in a block written on a single line, so
// restart { policy = "never" } is fine but two arguments need one line each.
//
// The defaults block takes every module setting except command,
// inherit_defaults, depends_on, ready and health. A module's setting wins over
// the defaults'; env maps merge key by key, env_file lists put the module's
// files after the defaults', and restart, alarm, limits and log
// blocks field by field, so a module's restart { policy = "never" } keeps the
// defaults' delay. Unset and null mean the same: "use the defaults, or the
// built-in default".
//
// Durations are strings in Go's syntax ("500ms", "10s", "1m30s"), at least zero.
// Relative paths (status_dir, dir, file()) start at the manifest's directory, not
// at svman's working directory. So does the program of on_exit and of alarm exec
// when it holds a "/" ("./notify", "bin/notify"); a bare name ("logger") is looked
// up in PATH. The command's program is left as written, for the module's dir.
//
// # Dependencies, readiness and health
//
// depends_on names modules of the manifest, each with the condition it must
// meet before the module starts; Layers gives the start order. Load refuses an
// unknown name (suggesting the closest), a module naming itself, a cycle,
// "completed" on a module restarted always, and a dependency of a module that
// starts by itself on one with autostart = false (a warning when both are
// manual). A ready block holds exactly one of http, tcp, exec, log, notify =
// true and notification_fd (3 to 1023); watchdog needs notify. A health block
// holds exactly one of exec, http and tcp. on_dependency_restart may come from
// the defaults; depends_on, ready and health may not, since they name other
// modules or the module's own address. See readiness.go for what each means.
//
// # Users and environment
//
// user and group take a name or a numeric id and are looked up when the manifest
// is loaded: an unknown name is an error, an unknown id is used as it is (a user
// without a passwd entry then has the same number as its group, no supplementary
// groups and "/" as its home). Without group, the child has the user's primary
// group; with user, it also has the user's supplementary groups. Only svman
// running as root can switch users or groups; that is checked when the module
// starts, not at load time, so svman check may run as anyone.
//
// umask is a string of 1 to 4 octal digits up to "0777", such as "022" or
// "0027". A number is refused because HCL reads 022 as twenty-two.
//
// env adds to svman's own environment, unless env_clear = true: then the child
// starts from an empty environment plus env, and PATH=/usr/local/bin:/usr/bin:/bin
// when env sets no PATH. env_file's files (envfile.go) come between the two:
// Module.Env holds their variables with env's on top.
//
// # Restarts
//
// A run that lasted min_uptime is followed by a start at once, every time. A run
// shorter than that is a crash, and consecutive crashes (a crash loop) back off:
// the next start comes delay after the previous one, then 2×delay, 4×delay, ...
// up to max_delay, which must be at least delay. svman never starts a module
// twice within one second (RestartFloor): a delay, max_delay or min_uptime below
// it counts as one second, with a warning. stable_after, min_uptime's former
// name, is accepted with a warning. Under on-failure, an exit with one of exit_codes
// (whole numbers 0 to 255) is a success and is not restarted; a death by a signal
// never is. on_exit (an argv, run directly) runs after every exit, before any
// restart.
//
// # Limits
//
// limits sets the child's resource limits before it execs: core
// and memlock are sizes in bytes, nofile (open files, at least 1) and nproc
// (processes) are counts. Each is "unlimited", a whole number, or, for the two
// sizes, a string with a unit: "64k", "512M", "1G", "2T" and "512KiB", "64MiB",
// "1GiB", "2TiB" count in 1024s (as ulimit does), "512KB", "64MB", "1GB", "2TB"
// in 1000s; "B" is bytes, and units are case-insensitive.
//
// # Logs
//
// Every line a module writes goes to __stdout or __stderr in its status directory
// (status_dir/NAME/), appended, each line starting with its time
// ("2006-01-02T15:04:05.000+08:00 ", local time) unless timestamps = false.
// Before a line would take a file past max_size (at least 1 KB; a size written as
// for limits, but not "unlimited"), the file is renamed to __stdout.TIME (such as
// __stdout.2026-11-23T15-04-05.000) and a new one is started; of the renamed
// files, the newest keep are kept and older ones deleted (keep = 0 keeps none).
//
// # Mail
//
// Alarm mail goes through the smtp block's server, which takes the built-in
// defaults when it is left out. username and password go together; an empty one
// counts as missing, so that password = env("SMTP_PASSWORD") with the variable
// unset is caught at load time rather than at the first alarm.
//
// # Functions
//
// Expressions may call env(name) (the variable in svman's environment, "" if
// unset), env(name, default) (default when unset or empty), file(path) (the
// contents of a UTF-8 text file, which must be a regular file of at most 8 MiB: a
// FIFO or a device is refused, never waited on) and these from go-cty's stdlib:
// abs, chomp, coalesce,
// concat, contains, distinct, flatten, format, formatlist, indent, join,
// jsondecode, jsonencode, keys, length, lower, max, merge, min, range, replace,
// reverse (of a list), sort, split, strrev (reverse a string), substr, title,
// trimspace, upper, values. There are no variables.
//
// What env() and file() return, and whatever is computed from it, may be a
// secret: no diagnostic shows it. A value that fails a check is named by the
// expression's source text, such as file("/etc/shadow") (see sensitive).
package manifest
