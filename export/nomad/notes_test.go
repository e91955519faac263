package nomad

import (
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

// notesOf are the notes of an export of src with o, as "line:col summary",
// in the manifest's order.
func notesOf(t *testing.T, src string, o Options) []string {
	t.Helper()
	m := load(t, src, map[string]string{".env": "A=1\n"})
	notes := export.NewNotes(m)
	if _, err := Export(m, o, notes); err != nil {
		t.Fatal(err)
	}
	d := notes.Diagnostics(false)
	if d == nil {
		return nil
	}
	var out []string
	for _, diag := range d.Diags {
		if diag.Severity != hcl.DiagWarning {
			t.Errorf("%s: severity %v, want a warning", diag.Summary, diag.Severity)
		}
		if diag.Subject == nil {
			out = append(out, "-:- "+diag.Summary)
			continue
		}
		out = append(out, fmt.Sprintf("%d:%d %s", diag.Subject.Start.Line, diag.Subject.Start.Column, diag.Summary))
	}
	return out
}

// Each note is at the setting it is about: in the module's block, else in
// the defaults block, said once for every module that inherits it, and
// once for all the instances of a block.
func TestNotesSites(t *testing.T) {
	src := `defaults {
  env_file = [".env"]
  alarm {
    webhook = "http://127.0.0.1:9/hook"
  }
  log { timestamps = true }
}
module "web" {
  command   = ["/usr/bin/web"]
  instances = 2
  umask     = "027"
  alarm {
    mail = ["ops@example.com"]
  }
  depends_on = { db = "healthy" }
}
module "db" {
  command = ["/usr/bin/db"]
  group   = "0"
  ready { log = "listening" }
  restart {
    policy     = "on-failure"
    exit_codes = [0, 1]
  }
}
module "plain" {
  command          = ["/usr/bin/plain"]
  inherit_defaults = false
  ready { http = "http://127.0.0.1:80/" }
}
`
	got := notesOf(t, src, Options{Driver: "exec"})
	want := []string{
		"2:3 Env files written into the job",
		"4:5 Alarm webhook not exported",
		"6:9 Log timestamps not exported",
		"11:3 Umask not exported",
		"13:5 Alarm mail not exported",
		"15:3 Dependency not waited for",
		"19:3 Group not exported",
		"20:11 Ready check not exported",
		"22:5 A success is restarted too",
		"23:5 Only exit code 0 is a success",
	}
	if !slices.Equal(got, want) {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A setting left to svman's default is not noted, however the job differs
// (the README says how): only what someone wrote is.
func TestNotesOnlyWritten(t *testing.T) {
	src := `module "m" {
  command = ["/usr/bin/m"]
  ready { http = "http://127.0.0.1:80/" }
}
`
	if got := notesOf(t, src, Options{Driver: "exec"}); len(got) != 0 {
		t.Errorf("notes %q, want none: every setting is svman's default", got)
	}
	src = `module "m" {
  command = ["/usr/bin/m"]
  ready {
    http       = "http://127.0.0.1:80/"
    on_timeout = "restart"
  }
  log { timestamps = false }
}
`
	if got := notesOf(t, src, Options{Driver: "exec"}); !slices.Equal(got, []string{"5:5 Not restarted when not ready"}) {
		t.Errorf("notes %q, want the written on_timeout's alone (timestamps = false is what Nomad does)", got)
	}
}

// What a driver cannot reach is noted at the command: a program outside
// exec's chroot, and for raw_exec, once for the job, what every client
// must hold.
func TestNotesPrograms(t *testing.T) {
	src := `module "a" {
  command = ["./bin/a"]
}
module "b" {
  command = ["/opt/b/bin/b"]
  dir     = "/opt/b"
}
module "c" {
  command = ["./bin/c"]
}
`
	if got := notesOf(t, src, Options{Driver: "exec", Artifacts: map[string]string{"c": "https://x/c.tgz"}}); !slices.Equal(got, []string{
		"2:3 Program outside the exec driver's chroot",
		"5:3 Program outside the exec driver's chroot",
		"6:3 Working directory not exported",
	}) {
		t.Errorf("exec notes %q", got)
	}
	if got := notesOf(t, src, Options{Artifacts: map[string]string{"c": "https://x/c.tgz"}}); !slices.Equal(got, []string{"2:3 Programs must be on every client"}) {
		t.Errorf("raw_exec notes %q", got)
	}
}

// --strict turns every note into an error.
func TestNotesStrict(t *testing.T) {
	m := load(t, `module "m" {
  command = ["/usr/bin/m"]
  on_exit = ["/bin/true"]
}`, nil)
	notes := export.NewNotes(m)
	if _, err := Export(m, Options{Driver: "exec"}, notes); err != nil {
		t.Fatal(err)
	}
	d := notes.Diagnostics(true)
	if d == nil || len(d.Diags) != 1 || d.Diags[0].Severity != hcl.DiagError || d.Diags[0].Summary != "on_exit not exported" {
		t.Errorf("strict notes %v, want on_exit's as an error", d)
	}
}

// A value of env read with file() or env() may be a secret: the job
// would hold it in clear, which is said at the env that holds it.
func TestNotesSecretEnv(t *testing.T) {
	got := notesOf(t, `module "api" {
  command = ["/usr/bin/api"]
  env     = { TOKEN = file(".env"), MODE = "prod" }
}
module "web" {
  command = ["/usr/bin/web"]
  env     = { MODE = "prod" }
}`, Options{Driver: "exec"})
	if !slices.Equal(got, []string{"3:3 Secret written into the job"}) {
		t.Errorf("notes %q, want only the secret in api's env", got)
	}
}

// A note never shows a value read with file() or env(): it names the
// field, and each such value the job holds is said to be there in clear.
func TestNotesNeverShowASecret(t *testing.T) {
	t.Setenv("SVMAN_TEST_ONCALL", "oncall-secret@example.com")
	m := load(t, `module "api" {
  command = ["/usr/bin/api", "--token", file("token")]
  on_exit = ["/usr/bin/report", file("token")]
  ready {
    exec = ["/usr/bin/check", file("token")]
  }
  health {
    exec = ["/usr/bin/check", file("token")]
  }
  alarm {
    mail = [env("SVMAN_TEST_ONCALL")]
    exec = ["/usr/bin/page", file("token")]
  }
}`, map[string]string{"token": "tok-s3cret"})
	notes := export.NewNotes(m)
	if _, err := Export(m, Options{Driver: "exec"}, notes); err != nil {
		t.Fatal(err)
	}
	text := notes.Diagnostics(false).Error()
	for _, secret := range []string{"tok-s3cret", "oncall-secret"} {
		if strings.Contains(text, secret) {
			t.Errorf("a note shows the secret %q:\n%s", secret, text)
		}
	}
	for _, o := range []Options{{Driver: "raw_exec"}, {Driver: "exec"}} {
		m := load(t, `module "api" {
  command = [file("token")]
  dir     = "/srv/${file("token")}"
}`, map[string]string{"token": "tok-s3cret"})
		notes := export.NewNotes(m)
		if _, err := Export(m, o, notes); err != nil {
			t.Fatal(err)
		}
		if text := notes.Diagnostics(false).Error(); strings.Contains(text, "tok-s3cret") {
			t.Errorf("with %s, a note shows the secret in the program or dir:\n%s", o.Driver, text)
		}
	}
	if !strings.Contains(text, "supervise.hcl:2:3: warning: Secret written into the job") {
		t.Errorf("the secret in the command is not said to be in the job:\n%s", text)
	}
}

// A Procfile's .env is written into the job, as env files are, and said so.
func TestNotesProcfileEnv(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"Procfile": "web: ./web\nworker: ./worker\n", ".env": "API_KEY=k\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := manifest.Load(filepath.Join(dir, "Procfile"))
	if err != nil {
		t.Fatal(err)
	}
	notes := export.NewNotes(m)
	if _, err := Export(m, Options{Driver: "exec"}, notes); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range notes.Diagnostics(false).Diags {
		if d.Summary == "Env files written into the job" {
			got = append(got, fmt.Sprintf("%s:%d", filepath.Base(d.Subject.Filename), d.Subject.Start.Line))
		}
	}
	if !slices.Equal(got, []string{"Procfile:1"}) {
		t.Errorf("notes on the .env at %q, want once, at Procfile:1", got)
	}
}

// The instances of a block share one note, even where its text quotes a
// value that differs from one instance to the next.
func TestNotesOncePerBlock(t *testing.T) {
	got := notesOf(t, `module "web" {
  command   = ["/usr/bin/web"]
  instances = 3
  on_exit   = ["/bin/true", "${instance}"]
}`, Options{Driver: "exec"})
	if !slices.Equal(got, []string{"4:3 on_exit not exported"}) {
		t.Errorf("notes %q, want one on_exit note for the three instances", got)
	}
}
