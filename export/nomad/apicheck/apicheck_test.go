package apicheck

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/nomad/api"

	"svman/export"
	"svman/export/nomad"
	"svman/manifest"
)

// everyField is a manifest that writes every field a module has, in one
// module or another: instances, a completed dependency, each kind of check.
const everyField = `
status_dir = "./status"
defaults {
  stop_timeout = "5s"
  env_file     = [".env"]
  restart {
    policy = "always"
    delay  = "1s"
  }
}
module "web" {
  command     = ["./bin/web", "--port", port, "--name", "web-${instance}"]
  dir         = "./site"
  env         = { LOG_LEVEL = "debug", "dotted.name" = "x" }
  instances   = 3
  port_base   = 5000
  stop_signal = "INT"
  stop_timeout = "45s"
  umask       = "027"
  restart {
    min_uptime = "2s"
    max_delay  = "30s"
  }
  alarm {
    interval  = "3s"
    max_tries = 10
    mail      = ["ops@example.com"]
    webhook   = "http://127.0.0.1:9/hook"
    exec      = ["./notify", "ops"]
    max_tries_if_coredumped = 2
  }
  log {
    timestamps = true
    max_size   = "10MB"
    keep       = 3
    format     = "json"
    mode       = "0640"
  }
  limits {
    core   = "unlimited"
    nofile = 4096
  }
  depends_on = { migrate = "completed", cache = "ready" }
  on_dependency_restart = "restart"
  ready {
    http     = "http://127.0.0.1:${port}/healthz?deep=1"
    timeout  = "30s"
    interval = "500ms"
  }
  health {
    tcp      = "127.0.0.1:${port}"
    interval = "5s"
    timeout  = "1s"
    failures = 2
  }
}
module "migrate" {
  command    = "exec ./migrate --all 2>&1"
  env_clear  = true
  on_exit    = ["./cleanup"]
  restart {
    policy     = "on-failure"
    exit_codes = [0, 3]
  }
  depends_on = { schema = "completed" }
}
module "schema" {
  command = ["/usr/bin/true"]
  restart { policy = "never" }
}
module "cache" {
  command   = ["/usr/bin/memcached", "-p", "11211"]
  ready { tcp = "127.0.0.1:11211" }
  health {
    exec = ["/usr/bin/nc", "-z", "127.0.0.1", "11211"]
  }
}
module "tls" {
  command = ["/usr/bin/server"]
  ready {
    http       = "https://localhost:8443/"
    on_timeout = "restart"
  }
}
module "notify" {
  command   = ["/usr/bin/daemon"]
  autostart = false
  ready {
    notify   = true
    watchdog = "30s"
  }
}
module "quiet" {
  command = ["/usr/bin/sleep", "infinity"]
  ready { log = "started" }
  restart { policy = "never" }
}
`

// manifests are the manifests exported, with the options of each.
var manifests = []struct {
	name string
	src  string // a manifest's text, or "@path" of a file to copy
	opts nomad.Options
}{
	{"every field", everyField, nomad.Options{}},
	{"every field exec", everyField, nomad.Options{Driver: "exec", Datacenters: []string{"dc1", "dc2"}}},
	{"every field artifacts", everyField, nomad.Options{Artifacts: map[string]string{"web": "https://example.com/web.tar.gz", "migrate": "https://example.com/migrate.tar.gz"}}},
	{"root", "@../../../supervise.hcl", nomad.Options{}},
	{"instances", `module "w" {
  command   = ["/usr/bin/w", "-i", instance]
  instances = 4
}`, nomad.Options{}},
	{"completed", `module "api" {
  command    = ["/usr/bin/api"]
  depends_on = { migrate = "completed" }
}
module "migrate" {
  command = ["/usr/bin/migrate"]
  restart { policy = "never" }
}`, nomad.Options{Driver: "exec"}},
}

// export loads src and exports it with o.
func exportJob(t *testing.T, src string, o nomad.Options) []byte {
	t.Helper()
	dir := t.TempDir()
	if path, ok := bytes.CutPrefix([]byte(src), []byte("@")); ok {
		b, err := os.ReadFile(string(path))
		if err != nil {
			t.Fatal(err)
		}
		src = string(b)
	}
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("SECRET=s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "supervise.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := nomad.Export(m, o, export.NewNotes(m))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// decode reads out as POST /v1/jobs does, refusing a key api.Job does not
// have.
func decode(t *testing.T, out []byte) *api.Job {
	t.Helper()
	var req api.JobRegisterRequest
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		t.Fatalf("the job does not decode into api.JobRegisterRequest: %v\n%s", err, out)
	}
	if req.Job == nil {
		t.Fatalf("no Job in %s", out)
	}
	return req.Job
}

// TestJobsDecodeIntoNomadsAPI decodes each export into Nomad's own job type,
// canonicalizes it as the agent does before registering it, and checks it
// against the rules the server validates a job by.
func TestJobsDecodeIntoNomadsAPI(t *testing.T) {
	for _, tt := range manifests {
		t.Run(tt.name, func(t *testing.T) {
			job := decode(t, exportJob(t, tt.src, tt.opts))
			job.Canonicalize()
			for _, err := range validate(job) {
				t.Error(err)
			}
		})
	}
}

// TestTaskConfigs checks the drivers' config keys, restart blocks,
// lifecycle hooks and services as Nomad reads them.
func TestTaskConfigs(t *testing.T) {
	job := decode(t, exportJob(t, everyField, nomad.Options{}))
	groups := map[string]*api.TaskGroup{}
	for _, g := range job.TaskGroups {
		groups[*g.Name] = g
	}
	if got := slices.Sorted(maps.Keys(groups)); !slices.Equal(got, []string{"cache", "notify", "quiet", "tls", "web"}) {
		t.Fatalf("groups %v: want one per module but the one-shots migrate and schema", got)
	}
	web := groups["web"]
	if *web.Count != 3 {
		t.Errorf("web's count %d, want its 3 instances", *web.Count)
	}
	var names []string
	for _, task := range web.Tasks {
		names = append(names, task.Name)
		if task.Driver != "raw_exec" {
			t.Errorf("task %s: driver %q", task.Name, task.Driver)
		}
		if _, ok := task.Config["command"].(string); !ok {
			t.Errorf("task %s: config command %#v, want a string", task.Name, task.Config["command"])
		}
		if args, ok := task.Config["args"]; ok {
			if _, ok := args.([]any); !ok {
				t.Errorf("task %s: config args %#v, want a list", task.Name, args)
			}
		}
	}
	if !slices.Equal(names, []string{"migrate", "schema", "web"}) {
		t.Errorf("web's tasks %v, want the one-shots it waits for, then web", names)
	}
	byName := map[string]*api.Task{}
	for _, task := range web.Tasks {
		byName[task.Name] = task
	}
	for _, one := range []string{"migrate", "schema"} {
		if l := byName[one].Lifecycle; l == nil || l.Hook != "prestart" || l.Sidecar {
			t.Errorf("%s: lifecycle %+v, want a prestart task that is not a sidecar", one, l)
		}
	}
	if got := byName["migrate"].Config["args"]; !slices.Equal(toStrings(got), []string{"-c", "exec ./migrate --all 2>&1"}) {
		t.Errorf("migrate's args %v: want its shell command after -c", got)
	}
	if r := byName["schema"].RestartPolicy; *r.Attempts != 0 || *r.Mode != "fail" {
		t.Errorf("schema (policy never): restart %d %s, want 0 attempts, mode fail", *r.Attempts, *r.Mode)
	}
	w := byName["web"]
	if r := w.RestartPolicy; *r.Attempts != 10 || *r.Interval != 5*time.Second || *r.Mode != "fail" {
		t.Errorf("web (max_tries 10 in 3s): restart %d in %s, %s; want 10 in 5s (Nomad's least), fail", *r.Attempts, *r.Interval, *r.Mode)
	}
	if r := web.ReschedulePolicy; r == nil || *r.Attempts != 0 || *r.Unlimited {
		t.Errorf("web gives up: reschedule %+v, want none", r)
	}
	if len(w.Services) != 1 || len(w.Services[0].Checks) != 2 {
		t.Fatalf("web's services %+v, want one with the ready and health checks", w.Services)
	}
	s := w.Services[0]
	if s.Provider != "nomad" || s.PortLabel != "port" || s.Address != "127.0.0.1" {
		t.Errorf("web's service %+v: want provider nomad, port label port, address 127.0.0.1", s)
	}
	ready, health := s.Checks[0], s.Checks[1]
	if ready.Type != "http" || ready.Path != "/healthz?deep=1" || ready.Interval != time.Second || ready.CheckRestart != nil {
		t.Errorf("web's ready check %+v", ready)
	}
	if health.Type != "tcp" || health.CheckRestart == nil || health.CheckRestart.Limit != 2 || *health.CheckRestart.Grace != 30*time.Second {
		t.Errorf("web's health check %+v, want tcp restarting after 2 failures, grace 30s", health)
	}
	if w.Env["PORT"] != "${NOMAD_PORT_port}" || w.Env["SVMAN_INSTANCE"] != "${NOMAD_ALLOC_INDEX}" {
		t.Errorf("web's env %v: want PORT and SVMAN_INSTANCE from the allocation", w.Env)
	}
	if got := toStrings(w.Config["args"]); !slices.Equal(got, []string{"--port", "${NOMAD_PORT_port}", "--name", "web-${NOMAD_ALLOC_INDEX}"}) {
		t.Errorf("web's args %v", got)
	}
	if *w.KillTimeout != 45*time.Second || w.KillSignal != "SIGINT" {
		t.Errorf("web's kill: %s after %s", w.KillSignal, *w.KillTimeout)
	}
	if *groups["notify"].Count != 0 {
		t.Errorf("notify (autostart = false): count %d, want 0", *groups["notify"].Count)
	}
}

// TestExecDriver checks the exec driver's config keys and that an artifact
// makes the task run from its local directory.
func TestExecDriver(t *testing.T) {
	job := decode(t, exportJob(t, everyField, nomad.Options{Driver: "exec", Artifacts: map[string]string{"web": "https://example.com/web.tar.gz"}}))
	for _, g := range job.TaskGroups {
		for _, task := range g.Tasks {
			if task.Driver != "exec" {
				t.Errorf("%s: driver %q, want exec", task.Name, task.Driver)
			}
			if task.Name == "web" {
				if len(task.Artifacts) != 1 || *task.Artifacts[0].GetterSource != "https://example.com/web.tar.gz" {
					t.Errorf("web's artifacts %+v", task.Artifacts)
				}
				if task.Config["command"] != "${NOMAD_TASK_DIR}/site/bin/web" && task.Config["command"] != "${NOMAD_TASK_DIR}/bin/web" {
					t.Errorf("web's command %v, want it under the task's local directory", task.Config["command"])
				}
			} else if _, ok := task.Config["work_dir"]; ok {
				t.Errorf("%s: exec task with a work_dir outside its chroot: %v", task.Name, task.Config["work_dir"])
			}
		}
	}
}
