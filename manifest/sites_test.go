package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestSites checks that each setting of a module is placed where it was
// written: in the module's block, else in the defaults (unless the block
// opts out of them), else in the nearest enclosing block, else at the
// block's header; and that only what was written is Written.
func TestSites(t *testing.T) {
	dir := t.TempDir()
	m := loadString(t, dir, `defaults {
  stop_timeout = "5s"
  alarm {
    webhook = "http://127.0.0.1:9/hook"
  }
}

module "web" {
  command = ["/bin/true"]
  alarm {
    max_tries = 3
  }
  instances = 2
}

module "solo" {
  command          = "exec sleep 1"
  inherit_defaults = false
}
`)
	web0, web1, solo := m.Modules[0], m.Modules[1], m.Modules[2]
	file := filepath.Join(dir, "supervise.hcl")
	tests := []struct {
		mod     Module
		path    string
		at      string // line:col
		written bool
	}{
		{web0, "command", "9:3", true},
		{web1, "command", "9:3", true},          // every instance is its block
		{web0, "alarm.max_tries", "11:5", true}, // in the module's nested block
		{web0, "alarm.webhook", "4:5", true},    // from the defaults
		{web0, "stop_timeout", "2:3", true},
		{web0, "alarm.mail", "10:3", false}, // not written: the module's alarm block
		{web0, "restart.delay", "8:1", false},
		{solo, "stop_timeout", "16:1", false}, // inherit_defaults = false
		{solo, "alarm.webhook", "16:1", false},
		{solo, "command", "17:3", true},
	}
	for _, tt := range tests {
		r := m.Sites.At(tt.mod, tt.path)
		if got := fmt.Sprintf("%d:%d", r.Start.Line, r.Start.Column); got != tt.at || r.Filename != file {
			t.Errorf("At(%s, %s) = %s:%s, want %s:%s", tt.mod.Name, tt.path, r.Filename, got, file, tt.at)
		}
		if got := m.Sites.Written(tt.mod, tt.path); got != tt.written {
			t.Errorf("Written(%s, %s) = %v, want %v", tt.mod.Name, tt.path, got, tt.written)
		}
	}
	if m.Sites.Files[file] == nil {
		t.Errorf("Sites.Files lack the manifest %s: a diagnostic could not quote its lines", file)
	}
}

// TestSitesProcfile places every setting of a Procfile's module at its line.
func TestSitesProcfile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Procfile")
	if err := os.WriteFile(path, []byte("# processes\nweb: ./web\n\nworker: ./worker\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range []int{2, 4} {
		r := m.Sites.At(m.Modules[i], "alarm.webhook")
		if r.Filename != path || r.Start.Line != line || r.Start.Column != 1 {
			t.Errorf("%s is at %s:%d:%d, want %s:%d:1", m.Modules[i].Name, r.Filename, r.Start.Line, r.Start.Column, path, line)
		}
		if m.Sites.Written(m.Modules[i], "command") {
			t.Errorf("a Procfile's %s has fields written as a manifest's", m.Modules[i].Name)
		}
	}
	if m.Sites.Files[path] == nil {
		t.Errorf("Sites.Files lack the Procfile")
	}
}

// A value read with file() or env() is a secret wherever it was written;
// a literal is not.
func TestSitesSecret(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"db-url": "postgres://u:pw@db/app"})
	t.Setenv("SVMAN_TEST_TOKEN", "s3cret")
	m := loadString(t, dir, `defaults {
  env = { TOKEN = env("SVMAN_TEST_TOKEN") }
}
module "api" {
  command = ["/bin/true"]
  env     = { DATABASE_URL = file("db-url"), MODE = "prod" }
}
module "web" {
  command = ["/bin/true"]
  env     = { MODE = "prod" }
  alarm {
    webhook = "http://127.0.0.1:9/${env("SVMAN_TEST_TOKEN")}"
  }
}
module "plain" {
  command          = ["/bin/true"]
  env              = { MODE = "prod" }
  inherit_defaults = false
}
`)
	api, web, plain := m.Modules[0], m.Modules[1], m.Modules[2]
	tests := []struct {
		mod    Module
		path   string
		secret bool
	}{
		{api, "env", true},
		{web, "env", true}, // literal, merged with the defaults' secret
		{web, "alarm.webhook", true},
		{web, "command", false},
		{plain, "env", false},
		{plain, "alarm.webhook", false}, // not written at all
	}
	for _, tt := range tests {
		if got := m.Sites.Secret(tt.mod, tt.path); got != tt.secret {
			t.Errorf("Secret(%s, %s) = %v, want %v", tt.mod.Name, tt.path, got, tt.secret)
		}
	}
}

// Every call of env() is found, wherever it is written (a top-level
// block, a module, the defaults, within a template or another call), in
// the file's order; file() and the word env are not calls of env().
func TestSitesEnvCalls(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"pw": "s3cret"})
	m := loadString(t, dir, `smtp {
  username = "svman"
  password = env("SMTP_PASSWORD", file("pw"))
}
defaults {
  env = { MODE = "env", HOME = env("HOME") }
}
module "web" {
  command = ["/bin/true", upper(env("ONCALL", "x"))]
  alarm {
    mail    = [env("ONCALL", "ops@example.com")]
    webhook = "http://127.0.0.1:9/${env("TOKEN", "t")}"
  }
}
module "db" {
  command = ["/bin/true", file("pw")]
}
`)
	var got []string
	for _, r := range m.Sites.EnvCalls() {
		got = append(got, fmt.Sprintf("%s:%d:%d-%d:%d", filepath.Base(r.Filename), r.Start.Line, r.Start.Column, r.End.Line, r.End.Column))
	}
	want := []string{
		"supervise.hcl:3:14-3:46",
		"supervise.hcl:6:32-6:43",
		"supervise.hcl:9:33-9:51",
		"supervise.hcl:11:16-11:48",
		"supervise.hcl:12:37-12:54",
	}
	if !slices.Equal(got, want) {
		t.Errorf("EnvCalls = %q, want %q", got, want)
	}
	plain := loadString(t, t.TempDir(), "module \"web\" {\n  command = [\"/bin/true\", \"env\"]\n}\n")
	if calls := plain.Sites.EnvCalls(); calls != nil {
		t.Errorf("a manifest without env() has EnvCalls %v", calls)
	}
	if calls := (*Sites)(nil).EnvCalls(); calls != nil {
		t.Errorf("nil Sites have EnvCalls %v", calls)
	}
}
