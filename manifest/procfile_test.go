package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestIsProcfile(t *testing.T) {
	for path, want := range map[string]bool{
		"Procfile": true, "/srv/app/Procfile": true, "Procfile.dev": true, "./Procfile.": true,
		"supervise.hcl": false, "procfile": false, "MyProcfile": false, "Procfile/supervise.hcl": false,
	} {
		if got := IsProcfile(path); got != want {
			t.Errorf("IsProcfile(%q) = %v, want %v", path, got, want)
		}
	}
}

// A Procfile with two entries and a .env loads into two modules with env, with
// the defaults Load gives `module NAME { command = "..." env = {...} }`.
func TestLoadProcfile(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "app")
	writeFiles(t, dir, map[string]string{
		"Procfile": "# the app\n\nweb: bundle exec rails server -p $PORT\nworker:   ./bin/worker --queue=\"${QUEUE}\"  \r\n",
		".env": `# settings
PORT=5000
export QUEUE = 'default # not a comment'
MESSAGE="two\nlines \"quoted\""  # a comment
EMPTY=
URL=http://example.com/#frag # comment
`,
	})
	t.Chdir(root)
	got, err := LoadProcfile("app/Procfile")
	if err != nil {
		t.Fatalf("LoadProcfile: %v", err)
	}
	env := map[string]string{"PORT": "5000", "QUEUE": "default # not a comment", "MESSAGE": "two\nlines \"quoted\"", "EMPTY": "", "URL": "http://example.com/#frag"}
	shell := func(name, cmd string) Module {
		return with(builtin(dir, name, "/bin/sh", "-c", cmd), func(m *Module) { m.Shell, m.Env = true, env })
	}
	want := &Manifest{
		Path:      filepath.Join(dir, "Procfile"),
		StatusDir: filepath.Join(dir, "status"),
		Digest:    got.Digest,
		Sites:     got.Sites, // sites_test.go checks the sites
		Modules:   []Module{shell("web", "bundle exec rails server -p $PORT"), shell("worker", `./bin/worker --queue="${QUEUE}"`)},
		SMTP:      builtinSMTP(),
		Sources:   []string{filepath.Join(dir, ".env")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadProcfile mismatch\n got: %+v\nwant: %+v", got, want)
	}

	// The same modules as Load makes of the equivalent HCL.
	pf, err := ReadProcfile(filepath.Join(dir, "Procfile"))
	if err != nil {
		t.Fatal(err)
	}
	if pf.EnvPath != filepath.Join(dir, ".env") || len(pf.Entries) != 2 || pf.Entries[1] != (ProcfileEntry{Name: "worker", Command: `./bin/worker --queue="${QUEUE}"`, Line: 4}) {
		t.Errorf("ReadProcfile = %+v", pf)
	}
	hcl := `module "web" {
  command = "bundle exec rails server -p $PORT"
  env = { PORT = "5000", QUEUE = "default # not a comment", MESSAGE = "two\nlines \"quoted\"", EMPTY = "", URL = "http://example.com/#frag" }
}
module "worker" {
  command = "./bin/worker --queue=\"$${QUEUE}\""
  env = { PORT = "5000", QUEUE = "default # not a comment", MESSAGE = "two\nlines \"quoted\"", EMPTY = "", URL = "http://example.com/#frag" }
}
`
	writeFiles(t, dir, map[string]string{"supervise.hcl": hcl})
	m, err := Load(filepath.Join(dir, "supervise.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Modules, got.Modules) {
		t.Errorf("Load of the equivalent HCL differs:\n got: %+v\nwant: %+v", m.Modules, got.Modules)
	}

	// The digest changes with the .env.
	writeFiles(t, dir, map[string]string{".env": "PORT=5001\n"})
	again, err := LoadProcfile("app/Procfile")
	if err != nil || again.Digest == got.Digest || again.Modules[0].Env["PORT"] != "5001" {
		t.Errorf("after a .env change: %v, same digest %v", err, again != nil && again.Digest == got.Digest)
	}
}

func TestLoadProcfileWithoutEnv(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Procfile.dev": "web: ./web\n"})
	got, err := LoadProcfile(filepath.Join(dir, "Procfile.dev"))
	if err != nil {
		t.Fatal(err)
	}
	want := with(builtin(dir, "web", "/bin/sh", "-c", "./web"), func(m *Module) { m.Shell = true })
	if len(got.Modules) != 1 || !reflect.DeepEqual(got.Modules[0], want) || got.StatusDir != filepath.Join(dir, "status") {
		t.Errorf("LoadProcfile = %+v", got)
	}
	// Creating the .env would change the manifest: it is a source already.
	if want := []string{filepath.Join(dir, ".env")}; !reflect.DeepEqual(got.Sources, want) {
		t.Errorf("Sources = %q, want %q", got.Sources, want)
	}
	writeFiles(t, dir, map[string]string{"Procfile": "# nothing yet\n"})
	if got, err := LoadProcfile(filepath.Join(dir, "Procfile")); err != nil || len(got.Modules) != 0 || got.Modules == nil {
		t.Errorf("empty Procfile: %+v, %v", got, err)
	}
}

// Bad lines are diagnostics with the Procfile's (or .env's) line numbers.
func TestLoadProcfileErrors(t *testing.T) {
	tests := []struct {
		name     string
		procfile string
		env      string
		want     []string // in the error text
	}{
		{"no colon", "web: ./web\nworker ./worker\n", "", []string{"Procfile:2:1: error: Invalid Procfile line", " 2 | worker ./worker"}},
		{"bad name", "web: ./web\n\nmy app: ./app\n", "", []string{"Procfile:3:1: error: Invalid process name", `Try "my-app"`}},
		{"name read as a flag", "-web: ./web\n", "", []string{"Procfile:1:1: error: Invalid process name", `"-web" starts with "-"`, `Try "_web"`}},
		{"name too long", strings.Repeat("n", 256) + ": ./x\n", "", []string{"Procfile:1:1: error: Invalid process name", "is 256 bytes long; a name may have at most 255"}},
		{"empty command", "web:\n", "", []string{"Procfile:1:1: error: Empty command"}},
		{"duplicate", "web: a\nweb: b\n", "", []string{"Procfile:2:1: error: Duplicate process name", "on line 1"}},
		{"every error at once", "a\nb\nok: x\n", "", []string{"Procfile:1:1:", "Procfile:2:1:"}},
		{"env without =", "web: ./web\n", "PORT=1\n\nPORT 2\n", []string{".env:3:1: error: Invalid env file line"}},
		{"env bad name", "web: ./web\n", "1PORT=1\n", []string{".env:1:1: error: Invalid environment variable name"}},
		{"env unterminated quote", "web: ./web\n", "A='x\n", []string{".env:1:3: error: Unterminated quoted value", "no closing '"}},
		{"env text after quote", "web: ./web\n", "A=\"x\" y\n", []string{".env:1:7: error: Text after a quoted value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"Procfile": tt.procfile}
			if tt.env != "" {
				files[".env"] = tt.env
			}
			writeFiles(t, dir, files)
			_, err := LoadProcfile(filepath.Join(dir, "Procfile"))
			var de *DiagError
			if !errors.As(err, &de) {
				t.Fatalf("LoadProcfile error = %v, want a *DiagError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error text lacks %q:\n%s", w, err)
				}
			}
			// ReadProcfile keeps the valid lines.
			pf, err := ReadProcfile(filepath.Join(dir, "Procfile"))
			if pf == nil || err == nil {
				t.Errorf("ReadProcfile = %v, %v", pf, err)
			}
		})
	}
}

func TestLoadProcfileMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadProcfile(filepath.Join(dir, "Procfile"))
	var de *DiagError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing Procfile: %v", err)
	}
	if pf, _ := ReadProcfile(filepath.Join(dir, "Procfile")); pf != nil {
		t.Error("ReadProcfile of a missing file returned a Procfile")
	}
	writeFiles(t, dir, map[string]string{"Procfile": "web: ./web\n"})
	if err := os.Mkdir(filepath.Join(dir, ".env"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadProcfile(filepath.Join(dir, "Procfile")); err == nil || !strings.Contains(err.Error(), "Cannot read .env") {
		t.Errorf(".env a directory: %v", err)
	}
}
