package systemd

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// What systemd does otherwise than svman with a dependency, a watchdog or
// a start limit is said where it was written, once for a block's
// instances: that a dependency that failed to start does not hold a module
// back (Wants=), that the watchdog stops at the first miss where svman
// counts it among the health checks, and that the start limit counts the
// restarts BindsTo= makes.
func TestNotesOfDependenciesAndWatchdog(t *testing.T) {
	const (
		wants    = "A failed dependency does not hold it back"
		watchdog = "Watchdog stops at the first miss"
		limit    = "The start limit counts restarts by BindsTo="
	)
	db := "module \"db\" {\n  command = [\"/bin/sleep\", \"1\"]\n  ready { tcp = \"127.0.0.1:5432\" }\n}\n"
	web := func(attrs ...string) string {
		return "module \"web\" {\n  command   = [\"/bin/sleep\", \"1\"]\n  instances = 2\n  " + strings.Join(attrs, "\n  ") + "\n}\n"
	}
	for _, c := range []struct {
		name, manifest string
		want           []string // "line: summary"
	}{
		{"wants", db + "module \"mq\" {\n  command = [\"/bin/true\"]\n}\n" + web(`depends_on = { db = "ready", mq = "started" }`),
			[]string{"11: " + wants}},
		{"wants an instance", db + web() + "module \"lb\" {\n  command = [\"/bin/true\"]\n  depends_on = { web = \"started\" }\n}\n",
			[]string{"12: " + wants}},
		{"completed", "module \"db\" {\n  command = [\"/bin/true\"]\n  restart { policy = \"on-failure\" }\n}\n" + web(`depends_on = { db = "completed" }`), nil},
		{"bound", db + web(`depends_on = { db = "ready" }`, `on_dependency_restart = "restart"`), nil},
		{"bound, max_tries", db + web(`depends_on = { db = "ready" }`, `on_dependency_restart = "restart"`, `alarm { max_tries = 3 }`),
			[]string{"9: " + limit}},
		{"bound, interval 0", db + web(`depends_on = { db = "ready" }`, `on_dependency_restart = "restart"`, `alarm {`, `  max_tries = 3`, `  interval = "0s"`, `}`), nil},
		{"watchdog, health", web(`ready {`, `  notify   = true`, `  watchdog = "10s"`, `}`, `health { tcp = "127.0.0.1:80" }`),
			[]string{"6: " + watchdog, "8: Health check not exported"}},
		{"watchdog, failures 1", web(`ready {`, `  notify   = true`, `  watchdog = "10s"`, `}`, `health {`, `  tcp      = "127.0.0.1:80"`, `  failures = 1`, `}`),
			[]string{"8: Health check not exported"}},
		{"watchdog alone", web(`ready {`, `  notify   = true`, `  watchdog = "10s"`, `}`), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newProject(t, map[string]string{"supervise.hcl": c.manifest})
			_, notes := p.export(t, Options{})
			var got []string
			if d := notes.Diagnostics(false); d != nil {
				for _, diag := range d.Diags {
					if diag.Subject == nil {
						t.Errorf("%q is placed nowhere", diag.Summary)
						continue
					}
					got = append(got, fmt.Sprintf("%d: %s", diag.Subject.Start.Line, diag.Summary))
					if diag.Summary == wants && strings.Contains(diag.Detail, "web.") {
						t.Errorf("the note names an instance: %s", diag.Detail)
					}
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("notes %q, want %q\n%s", got, c.want, c.manifest)
			}
		})
	}
}
