package export

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"svman/manifest"
)

// A note is placed where the manifest wrote the setting, said once for all
// the instances of a block, and is an error under --strict.
func TestNotes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "supervise.hcl")
	src := `module "web" {
  command   = ["/bin/true"]
  instances = 3
  alarm {
    webhook = "http://127.0.0.1:9/hook"
  }
}
module "db" {
  command = ["/bin/true"]
}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	notes := NewNotes(m)
	if d := notes.Diagnostics(false); d != nil {
		t.Fatalf("no notes yet, but Diagnostics gives %v", d)
	}
	for _, mod := range m.Modules {
		if mod.InstanceOf == "web" {
			notes.Lost(mod, "alarm.webhook", "Alarm webhook not exported", "The target has no webhook.")
		}
	}
	notes.Lost(m.Modules[3], "restart.max_delay", "Backoff not exported", "The target restarts at a fixed delay.")
	if notes.Len() != 2 {
		t.Fatalf("%d notes, want 2: the three instances of web share one", notes.Len())
	}
	warn := notes.Diagnostics(false)
	text := warn.Error()
	for _, want := range []string{path + ":5:5: warning: Alarm webhook not exported", path + ":8:1: warning: Backoff not exported", `webhook = "http://127.0.0.1:9/hook"`} {
		if !strings.Contains(text, want) {
			t.Errorf("notes lack %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "webhook not") > strings.Index(text, "Backoff") {
		t.Errorf("notes are not in the manifest's order:\n%s", text)
	}
	for _, d := range notes.Diagnostics(true).Diags {
		if d.Severity != hcl.DiagError {
			t.Errorf("under --strict %q is not an error", d.Summary)
		}
	}
	notes.Require(m.Modules[3], "command", "Programs must be on every client", "Install /bin/true there.")
	if notes.Len() != 3 || notes.Differences() != 2 {
		t.Errorf("%d notes, %d differences; want 3 and 2: a requirement is no difference", notes.Len(), notes.Differences())
	}
	for _, d := range notes.Diagnostics(true).Diags {
		if d.Summary == "Programs must be on every client" && d.Severity != hcl.DiagWarning {
			t.Errorf("--strict refuses a requirement of the machines, which no manifest can avoid")
		}
	}
	if warn.Diags[0].Severity != hcl.DiagWarning {
		t.Errorf("Diagnostics(true) changed the warnings given before")
	}
}

// A note at a range of the manifest, not a module's field, is placed there
// and said once, as any other.
func TestNotesAtARange(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "supervise.hcl")
	src := "module \"web\" {\n  command = [\"/bin/true\", env(\"MODE\", \"prod\")]\n}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	calls := m.Sites.EnvCalls()
	if len(calls) != 1 {
		t.Fatalf("EnvCalls = %v, want one", calls)
	}
	notes := NewNotes(m)
	notes.LostAt(calls[0], "env() read again", "The units read the manifest in another environment.")
	notes.LostAt(calls[0], "env() read again", "The units read the manifest in another environment.")
	if notes.Len() != 1 || notes.Differences() != 1 {
		t.Fatalf("%d notes, %d differences; want the one, said once", notes.Len(), notes.Differences())
	}
	text := notes.Diagnostics(true).Error()
	if want := path + ":2:27: error: env() read again"; !strings.Contains(text, want) {
		t.Errorf("the note lacks %q:\n%s", want, text)
	}
}
