package manifest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDocExample loads the example manifest shown in the package documentation
// (the tab-indented lines of doc.go), so the documentation cannot drift from
// what Load accepts.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, line := range strings.Split(string(doc), "\n") {
		if rest, ok := strings.CutPrefix(line, "//\t"); ok {
			src.WriteString(rest + "\n")
		}
	}
	t.Setenv("SMTP_PASSWORD", "s3cret")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"supervise.hcl": src.String()})
	m, err := Load(filepath.Join(dir, "supervise.hcl"))
	if err != nil {
		t.Fatalf("the documented example does not load:\n%v\n\n%s", err, src.String())
	}
	if len(m.Modules) != 2 {
		t.Fatalf("got %d modules, want 2", len(m.Modules))
	}
	w := m.Modules[1]
	restart := Restart{Policy: RestartOnFailure, Delay: 2 * time.Second, MaxDelay: 5 * time.Minute, MinUptime: 10 * time.Second, ExitCodes: []int{0, 3}}
	if !w.Shell || w.Autostart || w.StopSignal != syscall.SIGINT || w.StopTimeout != 30*time.Second ||
		!reflect.DeepEqual(w.Restart, restart) || w.Alarm.MaxTries != 10 ||
		w.Limits.NoFile == nil || *w.Limits.NoFile != 4096 || w.Limits.Core == nil || *w.Limits.Core != Unlimited ||
		w.Limits.MemLock == nil || *w.Limits.MemLock != 64<<20 ||
		!reflect.DeepEqual(w.OnExit, []string{filepath.Join(dir, "bin", "cleanup")}) ||
		w.User == nil || w.User.ID != 1000 || w.Group == nil || w.Group.ID != 1000 || w.Umask == nil || *w.Umask != 0o27 || w.EnvClear ||
		w.Log != (Log{Timestamps: false, MaxSize: 10 << 20, Keep: 3}) {
		t.Errorf("worker = %+v", w)
	}
	if web := m.Modules[0]; !web.EnvClear || web.Log != (Log{Timestamps: true, MaxSize: 100e6, Keep: 10}) {
		t.Errorf("web = %+v, want EnvClear and the defaults' log", web)
	}
	if web := m.Modules[0]; web.Ready == nil || web.Ready.HTTP != "http://127.0.0.1:8080/" || web.Health == nil || web.Health.TCP != "127.0.0.1:8080" {
		t.Errorf("web's ready = %+v, health = %+v", web.Ready, web.Health)
	}
	if !reflect.DeepEqual(w.DependsOn, map[string]Condition{"web": CondReady}) || w.OnDependencyRestart != DepRestart {
		t.Errorf("worker's depends_on = %v, on_dependency_restart = %q", w.DependsOn, w.OnDependencyRestart)
	}
	want := SMTP{Host: "smtp.example.com", Port: 587, From: "svman@example.com", Username: "svman", Password: "s3cret", StartTLS: true}
	if m.SMTP != want {
		t.Errorf("smtp = %+v, want %+v", m.SMTP, want)
	}
}

// TestReadmeNamesEveryField checks that README.md's manifest reference names
// each attribute and block the manifest takes, as `name`, so that a new field
// cannot go undocumented.
func TestReadmeNamesEveryField(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, raw := range []any{rawFile{}, rawSettings{}, rawRestart{}, rawAlarm{}, rawLimits{}, rawLog{}, rawSMTP{}, rawMetrics{}, rawReady{}, rawHealth{}} {
		typ := reflect.TypeOf(raw)
		for i := range typ.NumField() {
			name, kind, _ := strings.Cut(typ.Field(i).Tag.Get("hcl"), ",")
			if name == "" || (kind != "optional" && kind != "block") {
				continue
			}
			if name == "log" && typ == reflect.TypeOf(rawHealth{}) {
				continue // only there to be refused
			}
			if !strings.Contains(readme, "`"+name+"`") && !strings.Contains(readme, "`"+name+" ") {
				t.Errorf("README.md does not name %s's %s", typ.Name(), name)
			}
		}
	}
}
