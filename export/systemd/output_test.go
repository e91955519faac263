package systemd

import (
	"slices"
	"strings"
	"testing"
)

// With --logs files, that systemd makes no directory for the log files is
// said, once, as what the machine needs; that it makes them with the unit's
// umask rather than the log block's mode is said, once, as a difference,
// unless every unit's umask keeps them as close.
func TestNotesOfLogFiles(t *testing.T) {
	const (
		dirs = "Log directories must exist"
		mode = "Log files' mode not kept"
	)
	mod := func(name string, attrs ...string) string {
		return "module \"" + name + "\" {\n  command = [\"/bin/sleep\", \"1\"]\n  " + strings.Join(attrs, "\n  ") + "\n}\n"
	}
	for _, c := range []struct {
		name, manifest string
		o              Options
		want           []string
		differences    int
	}{
		{"two modules, no log block", mod("web") + mod("db"), Options{Logs: LogsFiles}, []string{dirs, mode}, 1},
		{"instances", mod("web", "instances = 3"), Options{Logs: LogsFiles, User: true}, []string{dirs, mode}, 1},
		{"umask 077", mod("web", `umask = "077"`), Options{Logs: LogsFiles}, []string{dirs}, 0},
		{"umask 027, mode 0640", mod("web", `umask = "027"`, `log { mode = "0640" }`), Options{Logs: LogsFiles}, []string{dirs, "Log block not exported"}, 1},
		{"umask 027, mode 0600", mod("web", `umask = "027"`), Options{Logs: LogsFiles}, []string{dirs, mode}, 1},
		{"one of two loose", mod("web", `umask = "077"`) + mod("db"), Options{Logs: LogsFiles}, []string{dirs, mode}, 1},
		{"the journal", mod("web") + mod("db"), Options{}, nil, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newProject(t, map[string]string{"supervise.hcl": c.manifest})
			_, notes := p.export(t, c.o)
			var got []string
			if d := notes.Diagnostics(false); d != nil {
				for _, diag := range d.Diags {
					got = append(got, diag.Summary)
					if diag.Summary == dirs && !strings.Contains(diag.Detail, "mkdir -p -m 0700 "+p.dir+"/status/NAME") {
						t.Errorf("the note does not say how to make the directories:\n%s", diag.Detail)
					}
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("notes %q, want %q", got, c.want)
			}
			if n := notes.Differences(); n != c.differences {
				t.Errorf("%d differences, want %d: the directory is what the machine needs, no difference --strict refuses", n, c.differences)
			}
		})
	}
}
