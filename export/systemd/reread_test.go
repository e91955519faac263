package systemd

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// A unit that runs svman on the manifest (the alarm template, a module's
// svman probe, svman up and reload) reads it again in systemd's
// environment: when the manifest calls env(), that is said once, at the
// first call, naming those units; not when no unit runs svman, nor when
// the manifest calls no env().
func TestNoteOfEnvReadAgain(t *testing.T) {
	const withEnv = `module "web" {
  command   = ["/bin/sleep", "1"]
  instances = 2
  ready {
    tcp = "127.0.0.1:${env("PORT", "8080")}"
  }
  alarm {
    mail = [env("ONCALL", "ops@example.com")]
  }
}
module "db" {
  command = ["/bin/sleep", "1"]
}
`
	const summary = "env() read again in systemd's environment"
	for _, c := range []struct {
		name, manifest string
		o              Options
		at             string   // line:col of the note; "" for none
		units          []string // in the note's detail
	}{
		{"units", withEnv, Options{}, "5:24", []string{
			"svman-web.0.service (svman probe); svman-web.1.service (svman probe); svman-app-alarm@.service (svman alarm)", "systemctl edit UNIT"}},
		{"user units", withEnv, Options{User: true}, "5:24", []string{"systemctl --user edit UNIT"}},
		{"self", withEnv, Options{Self: true}, "5:24", []string{": svman-app.service (svman up, svman reload)."}},
		{"no unit runs svman", `module "db" {
  command = ["/bin/sleep", env("NAP", "1")]
}
`, Options{}, "", nil},
		{"no env()", strings.NewReplacer(`env("PORT", "8080")`, `"8080"`, `env("ONCALL", "ops@example.com")`, `"ops@example.com"`).Replace(withEnv), Options{}, "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newProject(t, map[string]string{"supervise.hcl": c.manifest})
			_, notes := p.export(t, c.o)
			var found []*hcl.Diagnostic
			if d := notes.Diagnostics(false); d != nil {
				for _, diag := range d.Diags {
					if diag.Summary == summary {
						found = append(found, diag)
					}
				}
			}
			if c.at == "" {
				if len(found) > 0 {
					t.Errorf("noted %q: %s", summary, found[0].Detail)
				}
				return
			}
			if len(found) != 1 {
				t.Fatalf("%d notes %q, want one", len(found), summary)
			}
			if at := fmt.Sprintf("%d:%d", found[0].Subject.Start.Line, found[0].Subject.Start.Column); at != c.at {
				t.Errorf("the note is at %s, want %s, the first env()", at, c.at)
			}
			for _, want := range append(c.units, "file() instead of env()") {
				if !strings.Contains(found[0].Detail, want) {
					t.Errorf("the note lacks %q:\n%s", want, found[0].Detail)
				}
			}
		})
	}
}
