// Package manifest reads supervise.hcl: it parses the HCL, decodes it with go-cty,
// applies defaults, validates every field and returns plain Module values, or
// diagnostics that point at file:line:col.
//
// # Format
//
//	status_dir = "./status"   # default "./status"; module NAME keeps its state in status_dir/NAME/
//
//	defaults {                # at most one; applies to every module without inherit_defaults = false
//	  stop_timeout = "10s"
//	  restart {
//	    policy = "always"
//	    delay  = "1s"
//	  }
//	}
//
//	module "web" {            # name: [A-Za-z0-9_.-]+, not "." or ".."
//	  command = ["python3", "-m", "http.server", "8080"]  # a list is exec'd directly
//	  dir     = "./site"                                  # default: the manifest's directory
//	  env     = { PORT = "8080", HOME = env("HOME") }
//	}
//
//	module "worker" {
//	  command      = "exec ./worker 2>&1"  # a string runs through /bin/sh -c
//	  autostart    = false                 # default true
//	  stop_signal  = "INT"                 # default "TERM"; "SIGINT" and "int" work too
//	  stop_timeout = "30s"                 # default "10s"
//	  restart {
//	    policy = "on-failure"             # always (default) | on-failure | never
//	  }
//	  alarm {
//	    interval                = "60s"   # default "60s"
//	    max_tries               = 10      # 0 (default): no limit
//	    max_tries_if_coredumped = 5
//	    mail    = ["ops@example.com"]
//	    exec    = ["./notify", "worker"]
//	    webhook = "http://127.0.0.1:9000/hook"
//	  }
//	}
//
// HCL allows only one argument in a block written on a single line, so
// restart { policy = "never" } is fine but two arguments need one line each.
//
// The defaults block takes every module setting except command and
// inherit_defaults. A module's setting wins over the defaults'; env maps merge
// key by key and restart and alarm blocks field by field, so a module's
// restart { policy = "never" } keeps the defaults' delay. Unset and null mean the
// same: "use the defaults, or the built-in default".
//
// Durations are strings in Go's syntax ("500ms", "10s", "1m30s"), at least zero.
// Relative paths (status_dir, dir, file()) start at the manifest's directory, not
// at svman's working directory.
//
// # Functions
//
// Expressions may call env(name) (the variable in svman's environment, "" if
// unset), env(name, default) (default when unset or empty), file(path) (a UTF-8
// text file's contents) and these from go-cty's stdlib: abs, chomp, coalesce,
// concat, contains, distinct, flatten, format, formatlist, indent, join,
// jsondecode, jsonencode, keys, length, lower, max, merge, min, range, replace,
// reverse (of a list), sort, split, strrev (reverse a string), substr, title,
// trimspace, upper, values. There are no variables.
package manifest
