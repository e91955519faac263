package manifest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// loadString writes src as dir/supervise.hcl and loads it.
func loadString(t *testing.T, dir, src string) *Manifest {
	t.Helper()
	writeFiles(t, dir, map[string]string{"supervise.hcl": src})
	m, err := Load(filepath.Join(dir, "supervise.hcl"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return m
}

func names(m *Manifest) []string {
	var out []string
	for _, mod := range m.Modules {
		out = append(out, mod.Name)
	}
	return out
}

func TestInstances(t *testing.T) {
	dir := t.TempDir()
	m := loadString(t, dir, `
module "db" {
  command = ["db"]
}
module "web" {
  command   = ["./web", "--port", port, "--id", "w${instance}"]
  instances = 3
  port_base = 5000
  env       = { MODE = "prod" }
  ready {
    tcp = "127.0.0.1:${port}"
  }
  depends_on = { db = "ready" }
}
module "api" {
  command   = ["./api"]
  port_base = 9000
}
module "batch" {
  command   = ["./batch"]
  instances = 0
}
module "cron" {
  command    = ["./cron"]
  depends_on = { web = "ready" }
}
`)
	if got, want := names(m), []string{"db", "web.0", "web.1", "web.2", "api", "cron"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("modules %q, want %q", got, want)
	}
	want := map[string]InstanceCount{"web": {Count: 3, Declared: 3}, "batch": {Count: 0, Declared: 0}}
	if !reflect.DeepEqual(m.Instances, want) {
		t.Errorf("Instances = %+v, want %+v", m.Instances, want)
	}
	for i, mod := range m.Modules[1:4] {
		port := []string{"5000", "5001", "5002"}[i]
		if mod.InstanceOf != "web" || mod.Instance != i {
			t.Errorf("%s: InstanceOf %q Instance %d", mod.Name, mod.InstanceOf, mod.Instance)
		}
		wantEnv := map[string]string{"MODE": "prod", "PORT": port, "SVMAN_INSTANCE": []string{"0", "1", "2"}[i]}
		if !reflect.DeepEqual(mod.Env, wantEnv) {
			t.Errorf("%s: env %v, want %v", mod.Name, mod.Env, wantEnv)
		}
		if argv := strings.Join(mod.Command, " "); argv != "./web --port "+port+" --id w"+mod.Env["SVMAN_INSTANCE"] {
			t.Errorf("%s: command %q", mod.Name, argv)
		}
		if mod.Ready == nil || mod.Ready.Probe.TCP != "127.0.0.1:"+port {
			t.Errorf("%s: ready %+v, want tcp on its own port", mod.Name, mod.Ready)
		}
		if !reflect.DeepEqual(mod.DependsOn, map[string]Condition{"db": CondReady}) {
			t.Errorf("%s: depends_on %v", mod.Name, mod.DependsOn)
		}
	}
	if api := m.Modules[4]; api.Env["PORT"] != "9000" || api.InstanceOf != "" || api.Env["SVMAN_INSTANCE"] != "" {
		t.Errorf("api: %+v, want PORT=9000 and no instance", api)
	}
	if got, want := m.Layers(), [][]string{{"db", "api"}, {"web.0", "web.1", "web.2"}, {"cron"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Layers() = %q, want %q", got, want)
	}
	if got, want := m.Dependents("web.1"), []string{"cron"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Dependents(web.1) = %q, want %q", got, want)
	}
}

// An instance is the same module value whatever the count: growing the
// count must not change (and so restart) the instances already there.
func TestInstancesStableAcrossCounts(t *testing.T) {
	dir := t.TempDir()
	src := `module "web" {
  command   = ["./web", port]
  instances = %s
  port_base = 7000
}
`
	three := loadString(t, dir, strings.Replace(src, "%s", "3", 1))
	five := loadString(t, dir, strings.Replace(src, "%s", "5", 1))
	if len(five.Modules) != 5 {
		t.Fatalf("modules %q", names(five))
	}
	for i := range three.Modules {
		if !reflect.DeepEqual(three.Modules[i], five.Modules[i]) {
			t.Errorf("%s differs between 3 and 5 instances:\n%+v\n%+v", three.Modules[i].Name, three.Modules[i], five.Modules[i])
		}
	}
}

func TestScaleRecords(t *testing.T) {
	dir := t.TempDir()
	src := `module "web" {
  command   = ["./web"]
  instances = 2
}
module "plain" {
  command = ["./plain"]
}
`
	three := 2
	if err := WriteScale(filepath.Join(dir, "status"), map[string]ScaleRecord{
		"web":   {Instances: 4, Manifest: &three},
		"plain": {Instances: 2},
	}); err != nil {
		t.Fatal(err)
	}
	m := loadString(t, dir, src)
	if got, want := names(m), []string{"web.0", "web.1", "web.2", "web.3", "plain.0", "plain.1"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("scaled: modules %q, want %q", got, want)
	}
	if c := m.Instances["web"]; c != (InstanceCount{Count: 4, Declared: 2, Scaled: true}) {
		t.Errorf("web: %+v", c)
	}
	if err := PruneScale(m); err != nil {
		t.Fatal(err)
	}
	if recs, _ := ReadScale(m.StatusDir); len(recs) != 2 {
		t.Errorf("pruned a record in force: %v", recs)
	}

	// The manifest's field edited: its value wins, and the stale record goes.
	m = loadString(t, dir, strings.Replace(src, "instances = 2", "instances = 1", 1))
	if got, want := names(m), []string{"web.0", "plain.0", "plain.1"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after the edit: modules %q, want %q", got, want)
	}
	if err := PruneScale(m); err != nil {
		t.Fatal(err)
	}
	recs, err := ReadScale(m.StatusDir)
	if err != nil || len(recs) != 1 || recs["plain"].Instances != 2 {
		t.Errorf("after prune: %v, %v; want only plain's record", recs, err)
	}

	// A count recorded after the manifest in force was loaded (svman scale
	// while a reload applies) is not stale: pruning keeps it.
	before := loadString(t, dir, src)
	two := 2
	if err := UpdateScale(before.StatusDir, func(recs map[string]ScaleRecord) error {
		recs["web"] = ScaleRecord{Instances: 7, Manifest: &two}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := PruneScale(before); err != nil {
		t.Fatal(err)
	}
	if recs, _ := ReadScale(before.StatusDir); recs["web"].Instances != 7 {
		t.Errorf("pruning with a manifest loaded before the count dropped it: %v", recs)
	}
	// A block the manifest no longer has loses its count.
	gone := loadString(t, dir, strings.Replace(src, `module "plain"`, `module "other"`, 1))
	if err := PruneScale(gone); err != nil {
		t.Fatal(err)
	}
	if recs, _ := ReadScale(gone.StatusDir); len(recs) != 1 || recs["web"].Instances != 7 {
		t.Errorf("after removing plain's block: %v, want only web's count", recs)
	}

	// A broken file is a warning, and the manifest's counts apply.
	if err := os.WriteFile(filepath.Join(m.StatusDir, ScaleFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	m = loadString(t, dir, src)
	if got, want := names(m), []string{"web.0", "web.1", "plain"}; !reflect.DeepEqual(got, want) {
		t.Errorf("broken records: modules %q, want %q", got, want)
	}
	if m.Warnings == nil || m.Warnings.Diags[0].Summary != "Cannot read svman scale's counts" {
		t.Errorf("warnings %v", m.Warnings)
	}
}

func TestReservedInstanceName(t *testing.T) {
	m := loadString(t, t.TempDir(), `module "app.1" {
  command = ["./app"]
}
`)
	if m.Warnings == nil || m.Warnings.Diags[0].Summary != "Name reserved for instances" {
		t.Fatalf("warnings %v, want the reserved name", m.Warnings)
	}
	if !strings.Contains(m.Warnings.Error(), `"app-1"`) {
		t.Errorf("the warning suggests no other name: %v", m.Warnings)
	}
}

// Two svman scale at once keep both counts: each update holds the lock.
func TestUpdateScaleConcurrently(t *testing.T) {
	dir := t.TempDir()
	const n = 16
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- UpdateScale(dir, func(recs map[string]ScaleRecord) error {
				recs[InstanceName("m", i)] = ScaleRecord{Instances: i}
				return nil
			})
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	recs, err := ReadScale(dir)
	if err != nil || len(recs) != n {
		t.Fatalf("%d records (%v), want %d: an update was lost", len(recs), err, n)
	}
}
