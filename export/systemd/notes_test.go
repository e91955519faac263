package systemd

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"svman/export"
	"svman/manifest"
)

// A note points at the setting the units lose, as svman check's
// diagnostics do: an alarm webhook is said at its alarm block.
func TestNoteAtTheSetting(t *testing.T) {
	p := newProject(t, map[string]string{"supervise.hcl": `module "api" {
  command = ["/bin/sleep", "1"]
  alarm {
    webhook = "https://hooks.example.com/svman"
  }
}
`})
	_, notes := p.export(t, Options{})
	var b bytes.Buffer
	if err := notes.Diagnostics(false).WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	want := p.dir + "/supervise.hcl:3:3: warning: Alarms only when the unit fails\n 3 |   alarm {\n"
	if !strings.HasPrefix(b.String(), want) {
		t.Errorf("the note reads\n%s\nwant it to start with\n%s", &b, want)
	}
	for _, d := range notes.Diagnostics(true).Diags {
		if d.Severity != hcl.DiagError {
			t.Errorf("strict: %q is not an error", d.Summary)
		}
	}
}

// note is a note expected at the line of the manifest that starts (after
// its indentation) with at; "" for a note about the manifest as a whole.
type note struct{ summary, at string }

// notesOf are the notes as (summary, the source line they point at).
func notesOf(t *testing.T, p *project, o Options) []note {
	t.Helper()
	_, notes := p.export(t, o)
	d := notes.Diagnostics(false)
	if d == nil {
		return nil
	}
	lines := strings.Split(everyField["supervise.hcl"], "\n")
	var out []note
	for _, diag := range d.Diags {
		at := ""
		if diag.Subject != nil {
			at = strings.TrimSpace(lines[diag.Subject.Start.Line-1])
		}
		out = append(out, note{diag.Summary, at})
	}
	return out
}

// Every loss of the manifest that sets every field is said, once, where it
// was written; the instances of web, which share their settings, share
// their notes.
func TestNotesOfEveryField(t *testing.T) {
	p := newProject(t, everyField)
	common := []note{
		{"Metrics textfile not exported", ""},
		{"Control API not exported", ""},
		{"Env files copied into the unit", `env_file     = [".env"]`},
		{"Restart backoff not exported", `delay = "2s"`},
		{"Env files copied into the unit", `env_file     = ["db.env", "missing.env?"]`},
		{"on_exit runs after every stop", `on_exit      = ["/bin/echo", "exited"]`},
		{"Restart backoff not exported", `min_uptime = "5s"`},
		{"Restart backoff not exported", `delay      = "1s"`},
		{"Restart backoff not exported", `max_delay  = "30s"`},
		{"Alarms only when the unit fails", "alarm {"},
		{"No limit of core dumps", "max_tries_if_coredumped = 5"},
		{"Log block not exported", "log {"},
		{"on_timeout = \"keep\" not exported", `on_timeout = "keep"`},
		{"Health check not exported", "health {"},
		{"A failed dependency does not hold it back", `depends_on = { db = "ready" }`},
		{"healthy is ready", `depends_on            = { db = "healthy", migrate = "completed" }`},
		{"started waits for more", `depends_on = { web = "started" }`},
		{"A failed dependency does not hold it back", `depends_on = { web = "started" }`},
		{"Exit code 0 is always a success to systemd", "exit_codes = [1]"},
		{"Ready by log line not exported", `log = "listening on .*"`},
		{"Notification fd not exported", "notification_fd = 3"},
	}
	for _, c := range []struct {
		o    Options
		want []note
	}{
		{Options{}, common},
		{Options{Logs: LogsFiles}, slices.Concat([]note{
			{"Log directories must exist", ""}, {"Log files' mode not kept", ""},
		}, common)},
		{Options{User: true}, insertAfter(common, "Env files copied into the unit", 2,
			note{"No user in a user unit", `user         = "root"`}, note{"No group in a user unit", `group        = "root"`})},
		{Options{Self: true}, nil},
		{Options{Self: true, User: true}, []note{
			{"No user under the user's manager", `user         = "root"`},
			{"No group under the user's manager", `group        = "root"`},
		}},
	} {
		got := notesOf(t, p, c.o)
		if !slices.Equal(got, c.want) {
			t.Errorf("%+v: the notes are\n%s\nwant\n%s", c.o, showNotes(got), showNotes(c.want))
		}
	}
}

// insertAfter is notes with more inserted after the n-th note of summary.
func insertAfter(notes []note, summary string, n int, more ...note) []note {
	for i, x := range notes {
		if x.summary == summary {
			if n--; n == 0 {
				return slices.Concat(notes[:i+1], more, notes[i+1:])
			}
		}
	}
	return notes
}

func showNotes(notes []note) string {
	var b strings.Builder
	for _, n := range notes {
		fmt.Fprintf(&b, "  %s @ %s\n", n.summary, n.at)
	}
	return b.String()
}

// What systemd would refuse is left out of the unit and said, never
// written for systemd to drop: a variable name it does not take, a program
// path it does not run, a directory it cannot read back, a name too long
// for a unit.
func TestNotesOfWhatSystemdRefuses(t *testing.T) {
	long := strings.Repeat("x", 242) // svman-NAME.service: 256 characters
	p := newProject(t, map[string]string{
		"supervise.hcl": `module "envname" {
  command = ["/bin/sleep", "1"]
  env     = { "MY-VAR" = "x", GOOD = "y" }
}
module "quote" {
  command = ["/opt/it's/run"]
}
module "tab" {
  command = ["/bin/sleep", "1"]
  dir     = "./tab	dir"
}
module "` + long + `" {
  command = ["/bin/sleep", "1"]
}
`,
		"tab\tdir/.keep": "",
	})
	files, notes := p.export(t, Options{})
	var got []string
	for _, d := range notes.Diagnostics(false).Diags {
		got = append(got, fmt.Sprintf("%d: %s", d.Subject.Start.Line, d.Summary))
	}
	want := []string{
		"3: Environment variable not exported",
		"6: Program systemd cannot run",
		"10: Directory systemd cannot read",
		"12: Module name too long for a unit",
	}
	if !slices.Equal(got, want) {
		t.Errorf("notes %q, want %q", got, want)
	}
	check(t, files, []directive{
		{"env name", "svman-envname.service", "Service.Environment", []string{`"GOOD=y"`, `"SVMAN_MODULE=envname"`}},
		{"program", "svman-quote.service", "Service.ExecStart", nil},
		{"dir", "svman-tab.service", "Service.WorkingDirectory", nil},
	})
}

// A Procfile's .env is in the units as an env file is: said once.
func TestNoteOfProcfileEnv(t *testing.T) {
	p := newProject(t, map[string]string{"supervise.hcl": "", "Procfile": "web: exec ./web -p $PORT\nworker: ./worker\n", ".env": "PORT=5000\n"})
	m, err := manifest.Load(filepath.Join(p.dir, "Procfile"))
	if err != nil {
		t.Fatal(err)
	}
	notes := export.NewNotes(m)
	files := Export(m, Options{Svman: svmanBinary(t), Project: "app"}, notes)
	d := notes.Diagnostics(false)
	if d == nil || len(d.Diags) != 1 || d.Diags[0].Summary != "Env files copied into the unit" {
		t.Errorf("notes %v, want one: Env files copied into the unit", d)
	}
	for _, f := range files {
		if strings.HasSuffix(f.Name, ".service") && !strings.Contains(string(f.Data), "\nEnvironment=\"PORT=5000\"\n") {
			t.Errorf("%s lacks PORT:\n%s", f.Name, f.Data)
		}
	}
}

// A value of env read with file() or env() may be a secret, which the unit
// would hold in clear: that is said at the env holding it, and only there.
func TestNoteOfASecretInEnv(t *testing.T) {
	p := newProject(t, map[string]string{
		"supervise.hcl": `module "api" {
  command = ["/bin/sleep", "1"]
  env     = { TOKEN = file("token"), MODE = "prod" }
}
module "web" {
  command = ["/bin/sleep", "1"]
  env     = { MODE = "prod" }
}
`,
		"token": "s3cret",
	})
	_, notes := p.export(t, Options{})
	var got []string
	for _, d := range notes.Diagnostics(false).Diags {
		got = append(got, fmt.Sprintf("%d:%d: %s", d.Subject.Start.Line, d.Subject.Start.Column, d.Summary))
	}
	if want := []string{"3:3: Secret written into the unit"}; !slices.Equal(got, want) {
		t.Errorf("notes %q, want %q", got, want)
	}
}

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
