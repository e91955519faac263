package systemd

import (
	"bytes"
	"fmt"
	"os"
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
		t.Fatalf("notes %v, want one: Env files copied into the unit", d)
	}
	if at := d.Diags[0].Subject; at == nil || filepath.Base(at.Filename) != "Procfile" || at.Start.Line != 1 {
		t.Errorf("the note is at %v, want Procfile:1", at)
	}
	// Without a .env there is nothing copied, and nothing to say.
	if err := os.Remove(filepath.Join(p.dir, ".env")); err != nil {
		t.Fatal(err)
	}
	bare, err := manifest.Load(filepath.Join(p.dir, "Procfile"))
	if err != nil {
		t.Fatal(err)
	}
	quiet := export.NewNotes(bare)
	Export(bare, Options{Svman: svmanBinary(t), Project: "app"}, quiet)
	if d := quiet.Diagnostics(false); d != nil {
		t.Errorf("a Procfile without .env gets notes: %v", d)
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
  command = ["/bin/sleep", file("token")]
  env     = { TOKEN = file("token"), MODE = "prod" }
}
module "web" {
  command = ["/bin/sleep", "1"]
  env     = { MODE = "prod" }
}
`,
		"token": "3",
	})
	_, notes := p.export(t, Options{})
	var got []string
	for _, d := range notes.Diagnostics(false).Diags {
		got = append(got, fmt.Sprintf("%d:%d: %s", d.Subject.Start.Line, d.Subject.Start.Column, d.Summary))
	}
	if want := []string{"2:3: Secret written into the unit", "3:3: Secret written into the unit"}; !slices.Equal(got, want) {
		t.Errorf("notes %q, want %q", got, want)
	}
}

// systemd warns of User=nobody, as systemd-analyze verify shows: the export
// says so at the user, and only there.
func TestNoteOfTheNobodyUser(t *testing.T) {
	p := newProject(t, map[string]string{"supervise.hcl": `module "api" {
  command = ["/bin/sleep", "1"]
  user    = "nobody"
}
module "web" {
  command = ["/bin/sleep", "1"]
  user    = "root"
}
`})
	files, notes := p.export(t, Options{})
	var got []string
	for _, d := range notes.Diagnostics(false).Diags {
		got = append(got, fmt.Sprintf("%d:%d: %s", d.Subject.Start.Line, d.Subject.Start.Column, d.Summary))
	}
	if want := []string{"3:3: The nobody user in a unit"}; !slices.Equal(got, want) {
		t.Errorf("notes %q, want %q", got, want)
	}
	check(t, files, []directive{{"nobody", "svman-api.service", "Service.User", []string{"nobody"}}})
}
