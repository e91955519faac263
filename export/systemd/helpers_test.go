package systemd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdunit "github.com/coreos/go-systemd/v22/unit"

	"svman/export"
	"svman/manifest"
)

// project is a manifest in a directory of its own, with the files it names.
type project struct {
	dir string
	m   *manifest.Manifest
}

// newProject writes files (by path relative to the project: the manifest
// as "supervise.hcl", env files, programs, which are links to /bin/true
// when their name starts with "bin/") and loads the manifest.
func newProject(t *testing.T, files map[string]string) *project {
	t.Helper()
	dir := unitDir(t)
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if strings.HasPrefix(name, "bin/") {
			err = os.Symlink("/bin/true", path)
		} else {
			err = os.WriteFile(path, []byte(text), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	m, err := manifest.Load(filepath.Join(dir, "supervise.hcl"))
	if err != nil {
		t.Fatalf("the manifest does not load: %v", err)
	}
	return &project{dir: dir, m: m}
}

// svmanBinary is a program the units may call as svman: verify checks that
// it is there and executable.
func svmanBinary(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// export exports the project with o (Svman and Project filled in when
// left out) and returns the units by name, and the notes.
func (p *project) export(t *testing.T, o Options) (map[string]export.File, *export.Notes) {
	t.Helper()
	if o.Svman == "" {
		o.Svman = svmanBinary(t)
	}
	if o.Project == "" {
		o.Project = "app"
	}
	notes := export.NewNotes(p.m)
	files := Export(p.m, o, notes)
	byName := map[string]export.File{}
	for _, f := range files {
		byName[f.Name] = f
	}
	return byName, notes
}

// options parses a unit as go-systemd reads unit files, into its values by
// "Section.Key", in order; it fails the test on a file that does not
// parse.
func options(t *testing.T, f export.File) map[string][]string {
	t.Helper()
	opts, err := sdunit.DeserializeOptions(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatalf("%s does not parse: %v\n%s", f.Name, err, f.Data)
	}
	out := map[string][]string{}
	for _, o := range opts {
		k := o.Section + "." + o.Name
		out[k] = append(out[k], o.Value)
	}
	return out
}

// writeAll writes files into a new directory and returns their paths.
func writeAll(t *testing.T, files map[string]export.File) []string {
	t.Helper()
	dir := unitDir(t)
	var paths []string
	for _, f := range files {
		paths = append(paths, writeUnit(t, dir, f.Name, string(f.Data)))
	}
	return paths
}

// everyField is a manifest that sets every field of a module, every block,
// and the top-level blocks: each ready check, each depends_on condition,
// both on_dependency_restart, instances, a shell command, relative paths,
// env files, and values that need quoting.
var everyField = map[string]string{
	"supervise.hcl": `
status_dir = "./status"

smtp {
  host = "127.0.0.1"
  port = 25
  from = "svman@example.com"
}

metrics {
  textfile = "./metrics/svman.prom"
}

api {
  listen     = "127.0.0.1:7070"
  token_file = "./api-token"
}

defaults {
  stop_timeout = "5s"
  env_file     = [".env"]
  restart {
    delay = "2s"
  }
}

module "db" {
  command      = ["/bin/sleep", "1000"]
  dir          = "./data dir"
  env          = { LOG_LEVEL = "debug", PCT = "50% done", DOLLAR = "pa$word", QUOTE = "say \"hi\"" }
  env_file     = ["db.env", "missing.env?"]
  user         = "root"
  group        = "root"
  umask        = "027"
  stop_signal  = "INT"
  stop_timeout = "30s"
  on_exit      = ["/bin/echo", "exited"]
  restart {
    policy     = "on-failure"
    exit_codes = [0, 2]
    min_uptime = "5s"
    delay      = "1s"
    max_delay  = "30s"
  }
  alarm {
    interval                = "60s"
    max_tries               = 10
    max_tries_if_coredumped = 5
    mail                    = ["ops@example.com"]
    webhook                 = "http://127.0.0.1:9000/hooks/svman"
    exec                    = ["/bin/echo", "alarm"]
  }
  limits {
    core    = "unlimited"
    nofile  = 65536
    nproc   = 4096
    memlock = "64MiB"
  }
  log {
    timestamps = false
    max_size   = "10MB"
    keep       = 3
    mode       = "0640"
    format     = "json"
    parse      = "json"
  }
  ready {
    tcp        = "127.0.0.1:5432"
    timeout    = "30s"
    interval   = "500ms"
    on_timeout = "keep"
  }
  health {
    exec     = ["/bin/true"]
    interval = "10s"
    timeout  = "2s"
    failures = 3
  }
}

module "migrate" {
  command          = "exec /bin/echo migrating \"$DATABASE_URL\" 100%"
  env_clear        = true
  inherit_defaults = false
  restart {
    policy = "on-failure"
  }
  depends_on = { db = "ready" }
}

module "web" {
  command               = ["./bin/web", "--port", port]
  instances             = 2
  port_base             = 5000
  depends_on            = { db = "healthy", migrate = "completed" }
  on_dependency_restart = "restart"
  ready {
    http = "http://127.0.0.1:${port}/healthz"
  }
}

module "notifier" {
  command    = ["sleep", "1000"]
  env        = { PATH = "/usr/bin:/bin" }
  depends_on = { web = "started" }
  ready {
    notify   = true
    watchdog = "30s"
  }
  alarm {
    interval = "0s"
    webhook  = "http://127.0.0.1:9000/hooks/svman"
  }
}

module "logwatch" {
  command   = ["/bin/sleep", "1000"]
  autostart = false
  restart {
    policy     = "never"
    exit_codes = [1]
  }
  ready {
    log = "listening on .*"
  }
}

module "s6" {
  command = ["/bin/sleep", "1000"]
  ready {
    notification_fd = 3
  }
}

module "checked" {
  command = ["/bin/sleep", "1000"]
  ready {
    exec = ["/bin/true"]
  }
}
`,
	".env":           "SHARED=yes\nMULTI=\"line one\nline two\"\n",
	"db.env":         "DATABASE_URL=postgres://127.0.0.1:5432/app\n",
	"api-token":      "0123456789abcdef0123456789abcdef\n",
	"metrics/.keep":  "",
	"data dir/.keep": "",
	"bin/web":        "",
}
