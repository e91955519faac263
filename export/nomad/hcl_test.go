package nomad

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"

	"svman/export"
)

// The jobspec as the test reads it back: the blocks and attributes the
// HCL form writes, durations as strings (as Nomad's jobspec has them).
type (
	hclFile struct {
		Job hclJob `hcl:"job,block"`
	}
	hclJob struct {
		ID          string     `hcl:"id,label"`
		Name        *string    `hcl:"name,optional"`
		Datacenters []string   `hcl:"datacenters,optional"`
		Type        string     `hcl:"type"`
		Meta        hclMeta    `hcl:"meta,block"`
		Groups      []hclGroup `hcl:"group,block"`
	}
	hclMeta struct {
		Manifest string `hcl:"svman_manifest"`
	}
	hclGroup struct {
		Name       string         `hcl:"name,label"`
		Count      int            `hcl:"count"`
		Networks   []hclNetwork   `hcl:"network,block"`
		Reschedule *hclReschedule `hcl:"reschedule,block"`
		Disk       *hclDisk       `hcl:"ephemeral_disk,block"`
		Tasks      []hclTask      `hcl:"task,block"`
	}
	hclNetwork struct {
		Ports []hclPort `hcl:"port,block"`
	}
	hclPort struct {
		Label  string `hcl:"label,label"`
		Static *int   `hcl:"static,optional"`
	}
	hclReschedule struct {
		Attempts  int  `hcl:"attempts"`
		Unlimited bool `hcl:"unlimited"`
	}
	hclDisk struct {
		Size int `hcl:"size"`
	}
	hclTask struct {
		Name        string        `hcl:"name,label"`
		Driver      string        `hcl:"driver"`
		User        *string       `hcl:"user,optional"`
		Lifecycle   *hclLifecycle `hcl:"lifecycle,block"`
		Config      hclConfig     `hcl:"config,block"`
		KillSignal  string        `hcl:"kill_signal"`
		KillTimeout string        `hcl:"kill_timeout"`
		Restart     hclRestart    `hcl:"restart,block"`
		Logs        hclLogs       `hcl:"logs,block"`
		Artifacts   []hclArtifact `hcl:"artifact,block"`
		Services    []hclService  `hcl:"service,block"`
		Rest        hcl.Body      `hcl:",remain"` // env, a block or a map
	}
	hclLifecycle struct {
		Hook    string `hcl:"hook"`
		Sidecar bool   `hcl:"sidecar"`
	}
	hclConfig struct {
		Command string   `hcl:"command"`
		Args    []string `hcl:"args,optional"`
		WorkDir string   `hcl:"work_dir,optional"`
	}
	hclRestart struct {
		Attempts int    `hcl:"attempts"`
		Interval string `hcl:"interval"`
		Delay    string `hcl:"delay"`
		Mode     string `hcl:"mode"`
	}
	hclLogs struct {
		MaxFiles    int `hcl:"max_files"`
		MaxFileSize int `hcl:"max_file_size"`
	}
	hclArtifact struct {
		Source      string `hcl:"source"`
		Destination string `hcl:"destination"`
	}
	hclService struct {
		Name     string     `hcl:"name"`
		Provider string     `hcl:"provider"`
		Port     string     `hcl:"port,optional"`
		Address  string     `hcl:"address,optional"`
		Checks   []hclCheck `hcl:"check,block"`
	}
	hclCheck struct {
		Name         string           `hcl:"name"`
		Type         string           `hcl:"type"`
		Path         string           `hcl:"path,optional"`
		Protocol     string           `hcl:"protocol,optional"`
		Port         string           `hcl:"port"`
		Interval     string           `hcl:"interval"`
		Timeout      string           `hcl:"timeout"`
		CheckRestart *hclCheckRestart `hcl:"check_restart,block"`
	}
	hclCheckRestart struct {
		Limit int     `hcl:"limit"`
		Grace *string `hcl:"grace,optional"`
	}
)

// The HCL form parses back, with hcl/v2, to the job the JSON form holds.
func TestHCLParsesBack(t *testing.T) {
	src := `defaults { stop_timeout = "1m30s" }
module "web" {
  command    = ["./bin/web", "--port", port, "--motd", "a \"quoted\" ${instance} $HOME %%{x} \\ back"]
  env        = { "dotted.name" = "1", PLAIN = "${"$"}{NOMAD_ALLOC_ID}" }
  instances  = 2
  port_base  = 8000
  user       = "0"
  depends_on = { migrate = "completed" }
  ready { http = "https://localhost:${port}/up?x=1&y=2" }
  health {
    tcp      = "127.0.0.1:${port}"
    failures = 5
  }
  alarm {
    interval  = "2m"
    max_tries = 4
  }
}
module "migrate" {
  command = "set -e\nexec ./migrate 2>&1 | tee /tmp/log"
  restart { policy = "never" }
}
module "db" {
  command   = ["/usr/bin/db"]
  autostart = false
  port_base = 5432
  health { http = "http://10.1.2.3:9187/metrics" }
}
`
	for _, o := range []Options{
		{Project: "p"},
		{Project: "p", Driver: "exec", Datacenters: []string{"dc1", "eu-west"}, Artifacts: map[string]string{"web": "https://x/web.tgz?sig=a&b=c"}},
	} {
		t.Run(o.Driver, func(t *testing.T) {
			m := load(t, src, nil)
			fromJSON, _ := exportJob(t, m, o)
			o.HCL = true
			out, err := Export(m, o, export.NewNotes(m))
			if err != nil {
				t.Fatal(err)
			}
			if header := export.Header("#", m.Path); !strings.HasPrefix(string(out), header) {
				t.Errorf("the HCL does not start with the header %q", header)
			}
			fromHCL, err := parseJobHCL(out)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !reflect.DeepEqual(fromHCL, fromJSON) {
				t.Errorf("the HCL form is not the JSON's job:\nHCL  %s\nJSON %s\n%s", dump(fromHCL), dump(fromJSON), out)
			}
		})
	}
}

// parseJobHCL reads a jobspec into the job it describes.
func parseJobHCL(src []byte) (*Job, error) {
	p := hclparse.NewParser()
	f, diags := p.ParseHCL(src, "job.nomad.hcl")
	if diags.HasErrors() {
		return nil, diags
	}
	var file hclFile
	if diags := gohcl.DecodeBody(f.Body, nil, &file); diags.HasErrors() {
		return nil, diags
	}
	j := file.Job
	job := &Job{ID: j.ID, Name: j.ID, Type: j.Type, Datacenters: j.Datacenters, Meta: map[string]string{MetaManifest: j.Meta.Manifest}}
	if j.Name != nil {
		job.Name = *j.Name
	}
	for _, g := range j.Groups {
		tg := &TaskGroup{Name: g.Name, Count: new(g.Count)}
		for _, n := range g.Networks {
			nr := &NetworkResource{}
			for _, p := range n.Ports {
				if p.Static != nil {
					nr.ReservedPorts = append(nr.ReservedPorts, Port{Label: p.Label, Value: *p.Static})
				} else {
					nr.DynamicPorts = append(nr.DynamicPorts, Port{Label: p.Label})
				}
			}
			tg.Networks = append(tg.Networks, nr)
		}
		if r := g.Reschedule; r != nil {
			tg.ReschedulePolicy = &ReschedulePolicy{Attempts: new(r.Attempts), Unlimited: new(r.Unlimited)}
		}
		if g.Disk != nil {
			tg.EphemeralDisk = &EphemeralDisk{SizeMB: g.Disk.Size}
		}
		for _, ht := range g.Tasks {
			t, err := taskFromHCL(ht)
			if err != nil {
				return nil, err
			}
			tg.Tasks = append(tg.Tasks, t)
		}
		job.TaskGroups = append(job.TaskGroups, tg)
	}
	return job, nil
}

func taskFromHCL(ht hclTask) (*Task, error) {
	var errs []error
	dur := func(s string) int64 {
		d, err := time.ParseDuration(s)
		if err != nil {
			errs = append(errs, err)
		}
		return int64(d)
	}
	t := &Task{
		Name: ht.Name, Driver: ht.Driver, KillSignal: ht.KillSignal, KillTimeout: dur(ht.KillTimeout),
		Config:        TaskConfig{Command: ht.Config.Command, Args: ht.Config.Args, WorkDir: ht.Config.WorkDir},
		RestartPolicy: &RestartPolicy{Attempts: new(ht.Restart.Attempts), Interval: dur(ht.Restart.Interval), Delay: dur(ht.Restart.Delay), Mode: ht.Restart.Mode},
		LogConfig:     &LogConfig{MaxFiles: ht.Logs.MaxFiles, MaxFileSizeMB: ht.Logs.MaxFileSize},
	}
	if ht.User != nil {
		t.User = *ht.User
	}
	if l := ht.Lifecycle; l != nil {
		t.Lifecycle = &TaskLifecycle{Hook: l.Hook, Sidecar: l.Sidecar}
	}
	for _, a := range ht.Artifacts {
		t.Artifacts = append(t.Artifacts, &TaskArtifact{GetterSource: a.Source, RelativeDest: a.Destination})
	}
	for _, s := range ht.Services {
		svc := &Service{Name: s.Name, Provider: s.Provider, PortLabel: s.Port, Address: s.Address}
		for _, c := range s.Checks {
			sc := ServiceCheck{Name: c.Name, Type: c.Type, Path: c.Path, Protocol: c.Protocol, PortLabel: c.Port, Interval: dur(c.Interval), Timeout: dur(c.Timeout)}
			if r := c.CheckRestart; r != nil {
				sc.CheckRestart = &CheckRestart{Limit: r.Limit}
				if r.Grace != nil {
					sc.CheckRestart.Grace = new(dur(*r.Grace))
				}
			}
			svc.Checks = append(svc.Checks, sc)
		}
		t.Services = append(t.Services, svc)
	}
	env, err := envFromHCL(ht.Rest)
	if err != nil {
		return nil, err
	}
	t.Env = env
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return t, nil
}

// envFromHCL reads a task's env, written as a block or as a map.
func envFromHCL(rest hcl.Body) (map[string]string, error) {
	content, _, diags := rest.PartialContent(&hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "env"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "env"}},
	})
	if diags.HasErrors() {
		return nil, diags
	}
	env := map[string]string{}
	switch {
	case len(content.Blocks) == 1:
		attrs, diags := content.Blocks[0].Body.JustAttributes()
		if diags.HasErrors() {
			return nil, diags
		}
		for name, a := range attrs {
			var s string
			if diags := gohcl.DecodeExpression(a.Expr, nil, &s); diags.HasErrors() {
				return nil, diags
			}
			env[name] = s
		}
	case content.Attributes["env"] != nil:
		if diags := gohcl.DecodeExpression(content.Attributes["env"].Expr, nil, &env); diags.HasErrors() {
			return nil, diags
		}
	default:
		return nil, nil
	}
	return env, nil
}

func dump(j *Job) string { return fmt.Sprintf("%+v", *j) }
