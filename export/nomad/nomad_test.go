package nomad

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"svman/export"
)

// Each field of a module, and the job value it becomes.
func TestFields(t *testing.T) {
	tests := []struct {
		name   string
		module string // the body of module "m"; "@DIR@" is the manifest's directory
		opts   Options
		got    func(t *testing.T, j *Job) any
		want   any
	}{
		{"command list: a path relative to dir made absolute", `command = ["./bin/m", "-v"]`, Options{},
			func(t *testing.T, j *Job) any { return task(t, j, "m").Config }, TaskConfig{Command: "@DIR@/bin/m", Args: []string{"-v"}, WorkDir: "@DIR@"}},
		{"command list: a bare name left to the PATH", `command = ["sleep", "9"]`, Options{},
			func(t *testing.T, j *Job) any { return task(t, j, "m").Config.Command }, "sleep"},
		{"command string: through /bin/sh -c", `command = "exec ./m && true"`, Options{},
			func(t *testing.T, j *Job) any { return task(t, j, "m").Config }, TaskConfig{Command: "/bin/sh", Args: []string{"-c", "exec ./m && true"}, WorkDir: "@DIR@"}},
		{"dir: the task's work_dir", `command = ["/bin/m"]
dir = "./sub"`, Options{},
			func(t *testing.T, j *Job) any { return task(t, j, "m").Config.WorkDir }, "@DIR@/sub"},
		{"exec driver: no work_dir outside the chroot", `command = ["/bin/m"]`, Options{Driver: "exec"},
			func(t *testing.T, j *Job) any { return task(t, j, "m").Config }, TaskConfig{Command: "/bin/m"}},
		{"artifact: the program under the task's local directory", `command = ["./bin/m", "-v"]`, Options{Artifacts: map[string]string{"m": "https://x/m.tgz"}},
			func(t *testing.T, j *Job) any { return []any{task(t, j, "m").Config, *task(t, j, "m").Artifacts[0]} },
			[]any{TaskConfig{Command: "${NOMAD_TASK_DIR}/bin/m", Args: []string{"-v"}, WorkDir: "${NOMAD_TASK_DIR}"}, TaskArtifact{GetterSource: "https://x/m.tgz", RelativeDest: "local/"}}},
		{"artifact: a system program stays", `command = ["/usr/bin/python3", "app.py"]`, Options{Artifacts: map[string]string{"m": "https://x/app.tgz"}},
			func(t *testing.T, j *Job) any { return task(t, j, "m").Config.Command }, "/usr/bin/python3"},
		{"env, and SVMAN_MODULE", `command = ["/bin/m"]
env = { A = "1", B = "two words" }`, Options{},
			func(t *testing.T, j *Job) any { return task(t, j, "m").Env }, map[string]string{"A": "1", "B": "two words", "SVMAN_MODULE": "m"}},
		{"env_file: its variables under env", `command = ["/bin/m"]
env_file = [".env"]
env = { A = "env wins" }`, Options{},
			func(t *testing.T, j *Job) any { return task(t, j, "m").Env }, map[string]string{"A": "env wins", "F": "from file", "SVMAN_MODULE": "m"}},
		{"user", `command = ["/bin/m"]
user = "0"`, Options{},
			func(t *testing.T, j *Job) any { return task(t, j, "m").User }, "0"},
		{"stop_signal and stop_timeout: kill_signal and kill_timeout", `command = ["/bin/m"]
stop_signal = "int"
stop_timeout = "7s"`, Options{},
			func(t *testing.T, j *Job) any { return []any{task(t, j, "m").KillSignal, task(t, j, "m").KillTimeout} }, []any{"SIGINT", int64(7 * time.Second)}},
		{"default stop: SIGTERM after 10s (Nomad's own default is SIGINT, 5s)", `command = ["/bin/m"]`, Options{},
			func(t *testing.T, j *Job) any { return []any{task(t, j, "m").KillSignal, task(t, j, "m").KillTimeout} }, []any{"SIGTERM", int64(10 * time.Second)}},
		{"log: keep + 1 files (the current one too) of max_size in MiB, rounded up", `command = ["/bin/m"]
log {
  max_size = "5MB"
  keep     = 2
}`, Options{},
			func(t *testing.T, j *Job) any { return *task(t, j, "m").LogConfig }, LogConfig{MaxFiles: 3, MaxFileSizeMB: 5}},
		{"log defaults: 11 files of 50MB (48 MiB), a disk to hold both streams", `command = ["/bin/m"]`, Options{},
			func(t *testing.T, j *Job) any {
				return []any{*task(t, j, "m").LogConfig, *group(t, j, "m").EphemeralDisk}
			},
			[]any{LogConfig{MaxFiles: 11, MaxFileSizeMB: 48}, EphemeralDisk{SizeMB: 2*11*48 + 1}}},
		{"autostart = false: count 0", `command = ["/bin/m"]
autostart = false`, Options{},
			func(t *testing.T, j *Job) any { return *group(t, j, "m").Count }, 0},
		{"restart policy never: no restart, no reschedule", `command = ["/bin/m"]
restart { policy = "never" }`, Options{},
			func(t *testing.T, j *Job) any {
				return []any{*task(t, j, "m").RestartPolicy.Attempts, task(t, j, "m").RestartPolicy.Mode, *group(t, j, "m").ReschedulePolicy.Attempts, *group(t, j, "m").ReschedulePolicy.Unlimited}
			}, []any{0, "fail", 0, false}},
		{"never gives up: Nomad's default reschedule", `command = ["/bin/m"]`, Options{},
			func(t *testing.T, j *Job) any { return group(t, j, "m").ReschedulePolicy }, (*ReschedulePolicy)(nil)},
		{"port_base: a static port, and a service on it", `command = ["/bin/m"]
port_base = 8080`, Options{},
			func(t *testing.T, j *Job) any {
				return []any{*group(t, j, "m").Networks[0], *task(t, j, "m").Services[0], task(t, j, "m").Env["PORT"]}
			}, []any{NetworkResource{ReservedPorts: []Port{{Label: "port", Value: 8080}}}, Service{Name: "proj-m", Provider: "nomad", PortLabel: "port"}, "8080"}},
		{"ready http on 127.0.0.1: a check of a service at that address", `command = ["/bin/m"]
ready {
  http     = "https://127.0.0.1:9443/up"
  interval = "2s"
}`, Options{},
			func(t *testing.T, j *Job) any {
				return []any{*task(t, j, "m").Services[0], *group(t, j, "m").Networks[0]}
			},
			[]any{Service{Name: "proj-m", Provider: "nomad", PortLabel: "port_9443", Address: "127.0.0.1", Checks: []ServiceCheck{
				{Name: "ready", Type: "http", Path: "/up", Protocol: "https", PortLabel: "port_9443", Interval: int64(2 * time.Second), Timeout: int64(2 * time.Second)}}},
				NetworkResource{ReservedPorts: []Port{{Label: "port_9443", Value: 9443}}}}},
		{"health tcp: check_restart after failures, grace the ready timeout", `command = ["/bin/m"]
port_base = 7000
ready {
  tcp     = "0.0.0.0:7000"
  timeout = "20s"
}
health {
  tcp      = "0.0.0.0:7000"
  failures = 4
}`, Options{},
			func(t *testing.T, j *Job) any { return task(t, j, "m").Services[0].Checks[1] },
			ServiceCheck{Name: "health", Type: "tcp", PortLabel: "port", Interval: int64(10 * time.Second), Timeout: int64(2 * time.Second), CheckRestart: &CheckRestart{Limit: 4, Grace: new(int64(20 * time.Second))}}},
		{"health without ready: Nomad's grace", `command = ["/bin/m"]
health { http = "http://localhost:80/" }`, Options{},
			func(t *testing.T, j *Job) any { return *task(t, j, "m").Services[0].Checks[0].CheckRestart }, CheckRestart{Limit: 3}},
		{"ready exec: no check (Consul's), no service", `command = ["/bin/m"]
ready { exec = ["/bin/true"] }`, Options{},
			func(t *testing.T, j *Job) any { return task(t, j, "m").Services }, []*Service(nil)},
		{"datacenters", `command = ["/bin/m"]`, Options{Datacenters: []string{"dc1", "dc2"}},
			func(t *testing.T, j *Job) any { return j.Datacenters }, []string{"dc1", "dc2"}},
		{"the job: its ID, a service job", `command = ["/bin/m"]`, Options{},
			func(t *testing.T, j *Job) any { return []string{j.ID, j.Name, j.Type} }, []string{"proj", "proj", "service"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := load(t, "module \"m\" {\n"+tt.module+"\n}\n", map[string]string{".env": "A=file\nF=from file\n"})
			dir := filepath.Dir(m.Path)
			o := tt.opts
			o.Project = "proj"
			j, _ := exportJob(t, m, o)
			got, _ := json.Marshal(tt.got(t, j))
			w, _ := json.Marshal(tt.want)
			if want := strings.ReplaceAll(string(w), "@DIR@", dir); string(got) != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// A block with instances is one group; what differs between instances by
// their number and PORT becomes Nomad's runtime variables.
func TestInstances(t *testing.T) {
	m := load(t, `module "w" {
  command   = ["/bin/w", "--port", port, "--id", "w-${instance}"]
  env       = { SLOT = "slot ${instance} of 3" }
  instances = 3
  port_base = 5000
  ready { http = "http://127.0.0.1:${port}/up" }
}`, nil)
	j, notes := exportJob(t, m, Options{Project: "p"})
	if len(j.TaskGroups) != 1 || *j.TaskGroups[0].Count != 3 || j.TaskGroups[0].Name != "w" {
		t.Fatalf("groups %+v, want one, w, count 3", j.TaskGroups)
	}
	w := j.TaskGroups[0].Tasks[0]
	if w.Name != "w" {
		t.Errorf("task %s, want w", w.Name)
	}
	if want := []string{"--port", "${NOMAD_PORT_port}", "--id", "w-${NOMAD_ALLOC_INDEX}"}; !reflect.DeepEqual(w.Config.Args, want) {
		t.Errorf("args %q, want %q", w.Config.Args, want)
	}
	want := map[string]string{"PORT": "${NOMAD_PORT_port}", "SVMAN_INSTANCE": "${NOMAD_ALLOC_INDEX}", "SVMAN_MODULE": "w.${NOMAD_ALLOC_INDEX}", "SLOT": "slot ${NOMAD_ALLOC_INDEX} of 3"}
	if !reflect.DeepEqual(w.Env, want) {
		t.Errorf("env %v, want %v", w.Env, want)
	}
	if n := j.TaskGroups[0].Networks[0]; len(n.ReservedPorts) != 0 || !reflect.DeepEqual(n.DynamicPorts, []Port{{Label: "port"}}) {
		t.Errorf("network %+v, want a dynamic port labelled port", n)
	}
	if c := w.Services[0].Checks[0]; c.PortLabel != "port" {
		t.Errorf("check on %s, want the dynamic port", c.PortLabel)
	}
	if d := notes.Diagnostics(false); d == nil || len(d.Diags) != 2 {
		t.Errorf("notes %v, want the dynamic ports' and the programs'", d)
	}
}

// What differs between instances otherwise is noted, and instance 0's is
// kept.
func TestInstancesThatDiffer(t *testing.T) {
	m := load(t, `module "w" {
  command   = ["/bin/w", "--weight", "${instance * 10}"]
  instances = 2
}`, nil)
	j, notes := exportJob(t, m, Options{})
	if got := task(t, j, "w").Config.Args; !reflect.DeepEqual(got, []string{"--weight", "0"}) {
		t.Errorf("args %q, want instance 0's", got)
	}
	if !strings.Contains(diagText(notes), "2:3: warning: Instances differ beyond their number") {
		t.Errorf("notes:\n%s\nwant one at the command", diagText(notes))
	}
}

// A module waited for to complete is a prestart task of each group that
// waits for it, and has no group of its own.
func TestCompletedDependency(t *testing.T) {
	m := load(t, `module "api" {
  command    = ["/bin/api"]
  depends_on = { migrate = "completed" }
}
module "migrate" {
  command = ["/bin/migrate"]
  restart { policy = "on-failure" }
}`, nil)
	j, _ := exportJob(t, m, Options{})
	if len(j.TaskGroups) != 1 {
		t.Fatalf("%d groups, want api's alone", len(j.TaskGroups))
	}
	tasks := group(t, j, "api").Tasks
	if len(tasks) != 2 || tasks[0].Name != "migrate" || tasks[1].Name != "api" {
		t.Fatalf("tasks %v, want migrate then api", tasks)
	}
	if l := tasks[0].Lifecycle; l == nil || *l != (TaskLifecycle{Hook: "prestart"}) {
		t.Errorf("migrate's lifecycle %+v, want prestart, not a sidecar", l)
	}
	if tasks[1].Lifecycle != nil {
		t.Errorf("api's lifecycle %+v, want none", tasks[1].Lifecycle)
	}
}

// The same manifest gives the same bytes, in JSON and HCL, from one load
// to the next.
func TestDeterministic(t *testing.T) {
	src := `defaults { env = { Z = "1", A = "2", M = "3" } }
module "b" {
  command    = ["/bin/b"]
  instances  = 3
  port_base  = 9000
  depends_on = { c = "completed", a = "completed", d = "ready" }
  ready { tcp = "127.0.0.1:${port}" }
  health { http = "http://127.0.0.1:9999/h" }
}
module "a" {
  command = ["/bin/a"]
  restart { policy = "never" }
}
module "c" {
  command = ["/bin/c"]
  restart { policy = "never" }
}
module "d" { command = "sleep 1" }
`
	for _, hcl := range []bool{false, true} {
		var first []byte
		for range 5 {
			m := load(t, src, nil)
			out, err := Export(m, Options{Project: "p", HCL: hcl, Artifacts: map[string]string{"b": "u1", "d": "u2"}}, export.NewNotes(m))
			if err != nil {
				t.Fatal(err)
			}
			out = bytes.ReplaceAll(out, []byte(filepath.Dir(m.Path)), []byte("@DIR@"))
			if first == nil {
				first = out
			} else if !bytes.Equal(out, first) {
				t.Fatalf("HCL %v: two exports differ:\n%s\n---\n%s", hcl, first, out)
			}
		}
	}
}

// Export refuses options that make no job.
func TestExportOptions(t *testing.T) {
	m := load(t, `module "m" { command = ["/bin/m"] }`, nil)
	if _, err := Export(m, Options{Driver: "docker"}, export.NewNotes(m)); err == nil {
		t.Error("driver docker: no error")
	}
	if _, err := Export(m, Options{Artifacts: map[string]string{"n": "u"}}, export.NewNotes(m)); err == nil {
		t.Error("an artifact for no module: no error")
	}
	j, _ := exportJob(t, m, Options{})
	if j.ID != filepath.Base(filepath.Dir(m.Path)) {
		t.Errorf("job %s without a project, want the directory's name", j.ID)
	}
}

func diagText(n *export.Notes) string {
	d := n.Diagnostics(false)
	if d == nil {
		return ""
	}
	var b bytes.Buffer
	_ = d.WriteText(&b, false)
	return b.String()
}
