package manifest

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// loadIn writes files under ROOT/m and loads m/supervise.hcl from ROOT, so
// that a path taken from the working directory instead of the manifest's
// would be wrong. It returns ROOT/m.
func loadIn(t *testing.T, files map[string]string) (string, *Manifest, error) {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "m")
	writeFiles(t, dir, files)
	t.Chdir(root)
	m, err := Load("m/supervise.hcl")
	return dir, m, err
}

// The child's environment: svman's < env files in order < env; the defaults'
// files come before the module's, each file once; ${NAME} looks at the
// file's earlier lines, then the module's earlier files, then svman's
// environment.
func TestEnvFilePrecedence(t *testing.T) {
	t.Setenv("SVMAN_ENVFILE_OUTER", "outer")
	t.Setenv("SHARED", "from svman")
	files := map[string]string{
		".env":        "SHARED=from .env\nA=env-a\nB=env-b\nREF=\"${SVMAN_ENVFILE_OUTER}\"\n",
		".env.local":  "B=local-b\nC=local-c\nUP=\"${A}/${SHARED}\"\n",
		"conf/db.env": "DB=\"postgres://${DBHOST}\"\nDBHOST=db\nDB2=\"postgres://${DBHOST}\"\n",
		"other.env":   "OTHER=1\nA=other-a\n",
	}
	tests := []struct {
		name string
		hcl  string
		want map[string]string
	}{
		{"files in order", `env_file = [".env", ".env.local"]`,
			map[string]string{"SHARED": "from .env", "A": "env-a", "B": "local-b", "C": "local-c", "REF": "outer", "UP": "env-a/from .env"}},
		{"env above the files", `
  env_file = [".env", ".env.local"]
  env      = { B = "hcl-b", NEW = "n" }`,
			map[string]string{"SHARED": "from .env", "A": "env-a", "B": "hcl-b", "C": "local-c", "REF": "outer", "UP": "env-a/from .env", "NEW": "n"}},
		{"alone, a file's reference falls back to svman's environment", `env_file = [".env.local"]`,
			map[string]string{"B": "local-b", "C": "local-c", "UP": "/from svman"}},
		{"a reference to a later line is to svman's environment", `env_file = ["conf/db.env"]`,
			map[string]string{"DB": "postgres://", "DBHOST": "db", "DB2": "postgres://db"}},
		{"absolute path", `env_file = ["ABS/other.env"]`, map[string]string{"OTHER": "1", "A": "other-a"}},
		{"a duplicate counts once, where it comes first", `env_file = ["other.env", ".env", "./other.env"]`,
			map[string]string{"OTHER": "1", "A": "env-a", "SHARED": "from .env", "B": "env-b", "REF": "outer"}},
		{"missing optional file", `env_file = ["other.env", "nope.env?"]`, map[string]string{"OTHER": "1", "A": "other-a"}},
		{"empty list", `env_file = []`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := maps.Clone(files)
			root := t.TempDir()
			fs["supervise.hcl"] = "module \"web\" {\n  command = [\"w\"]\n  " + strings.ReplaceAll(tt.hcl, "ABS/", filepath.Join(root, "m")+"/") + "\n}\n"
			writeFiles(t, filepath.Join(root, "m"), fs)
			t.Chdir(root)
			m, err := Load("m/supervise.hcl")
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Modules[0].Env; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Env = %q\nwant  %q", got, tt.want)
			}
		})
	}
}

// defaults' env_file comes first in every module that inherits the defaults;
// inherit_defaults = false drops it.
func TestEnvFileDefaults(t *testing.T) {
	dir, _, err := loadIn(t, map[string]string{
		"common.env": "A=common\nB=common\n",
		"web.env":    "B=web\n",
		"supervise.hcl": `
defaults {
  env_file = ["common.env", "maybe.env?"]
  env      = { D = "defaults" }
}
module "web" {
  command  = ["w"]
  env_file = ["web.env", "common.env", "maybe.env"]
}
module "plain" {
  command = ["p"]
}
module "alone" {
  command          = ["a"]
  inherit_defaults = false
  env_file         = ["web.env"]
}
`,
	})
	if err == nil || !strings.Contains(err.Error(), "m/supervise.hcl:8:40: error: Env file not found") {
		t.Fatalf("a file required by one module and optional in the defaults is required: %v", err)
	}
	writeFiles(t, dir, map[string]string{"maybe.env": "C=maybe\n"})
	m, err := Load(filepath.Join(dir, "supervise.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{
		"web":   {"A": "common", "B": "web", "C": "maybe", "D": "defaults"},
		"plain": {"A": "common", "B": "common", "C": "maybe", "D": "defaults"},
		"alone": {"B": "web"},
	}
	for _, mod := range m.Modules {
		if !reflect.DeepEqual(mod.Env, want[mod.Name]) {
			t.Errorf("%s: Env = %q, want %q", mod.Name, mod.Env, want[mod.Name])
		}
	}
	wantSources := []string{filepath.Join(dir, "common.env"), filepath.Join(dir, "maybe.env"), filepath.Join(dir, "web.env")}
	if !reflect.DeepEqual(m.Sources, wantSources) {
		t.Errorf("Sources = %q, want %q", m.Sources, wantSources)
	}
}

// Sources lists every env file named, a missing optional one too; the
// digest changes with any of them, and with the creation of an optional one.
func TestEnvFileSourcesAndDigest(t *testing.T) {
	dir, m, err := loadIn(t, map[string]string{
		".env": "A=1\n",
		"supervise.hcl": `
module "a" {
  command  = ["a"]
  env_file = [".env", "local.env?"]
}
module "b" {
  command  = ["b"]
  env_file = ["local.env?", ".env"]
}
module "c" {
  command = ["c"]
}
`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, ".env"), filepath.Join(dir, "local.env")}; !reflect.DeepEqual(m.Sources, want) {
		t.Errorf("Sources = %q, want %q", m.Sources, want)
	}
	digests := map[[32]byte]string{m.Digest: "first"}
	step := func(what string, change func()) {
		t.Helper()
		change()
		again, err := Load(m.Path)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if prev, seen := digests[again.Digest]; seen {
			t.Errorf("%s: the digest is that of %s", what, prev)
		}
		digests[again.Digest] = what
	}
	step("an edit of .env", func() { writeFiles(t, dir, map[string]string{".env": "A=2\n"}) })
	step("an empty optional file created", func() { writeFiles(t, dir, map[string]string{"local.env": ""}) })
	step("a comment in the optional file", func() { writeFiles(t, dir, map[string]string{"local.env": "# x\n"}) })
	os.Remove(filepath.Join(dir, "local.env"))
	writeFiles(t, dir, map[string]string{".env": "A=1\n"})
	if got, err := Load(m.Path); err != nil || got.Digest != m.Digest {
		t.Errorf("the same files again give another digest (%v)", err)
	}

	// A manifest without env files keeps the digest of its text alone.
	_, plain, err := loadIn(t, map[string]string{"supervise.hcl": "module \"c\" {\n  command = [\"c\"]\n}\n"})
	if err != nil || plain.Sources != nil {
		t.Errorf("without env files: %v, Sources %q", err, plain.Sources)
	}
}

// What cannot be used is reported at the element of env_file that names it
// (once, even when the defaults name it for many modules); the env files'
// own mistakes at their lines, quoting them.
func TestEnvFileErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		hcl   string
		want  []string // in the error text, in order
		lacks []string
	}{
		{"missing required file", nil, `env_file = ["ok.env", "missing.env"]`, []string{
			"m/supervise.hcl:3:25: error: Env file not found",
			`   |                         ^^^^^^^^^^^^^`,
			`There is no file "m/missing.env" (relative paths start at the manifest's directory). Create it, correct the path, or end it with "?" ("missing.env?") if the file may be missing.`,
		}, nil},
		{"missing in the defaults, once", nil, `env_file = ["ok.env"]` + "\n}\nmodule \"b\" {\n  command = [\"b\"]\n}\ndefaults {\n  env_file = [\"gone.env\"]", []string{
			"m/supervise.hcl:9:15: error: Env file not found",
		}, []string{"m/supervise.hcl:3:"}},
		{"a directory", map[string]string{"dir.env/x": ""}, `env_file = ["dir.env?"]`, []string{
			"m/supervise.hcl:3:15: error: Cannot read env file", "it is a directory, not a regular file",
		}, nil},
		{"not a list", nil, `env_file = ".env"`, []string{"m/supervise.hcl:3:14: error: Invalid env_file", "must be a list of strings"}, nil},
		{"empty path", nil, `env_file = ["?"]`, []string{"m/supervise.hcl:3:15: error: Invalid env_file element"}, nil},
		{"malformed lines", map[string]string{"bad.env": "A=1\nB=\"secret-value\" x\n\nNOEQUALS\nsk-live-TOKEN=1\n"}, `env_file = ["bad.env", "ok.env"]`, []string{
			"m/bad.env:2:18: error: Text after a quoted value",
			"m/bad.env:4:1: error: Invalid env file line",
			"m/bad.env:5:1: error: Invalid environment variable name",
		}, []string{"secret-value", "NOEQUALS", "sk-live-TOKEN"}}, // env files hold secrets: never quoted
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"ok.env": "OK=1\n", "supervise.hcl": "module \"a\" {\n  command  = [\"a\"]\n  " + tt.hcl + "\n}\n"}
			maps.Copy(files, tt.files)
			_, _, err := loadIn(t, files)
			var de *DiagError
			if !errors.As(err, &de) {
				t.Fatalf("Load error = %v, want a *DiagError", err)
			}
			text, at := err.Error(), 0
			for _, w := range tt.want {
				i := strings.Index(text[at:], w)
				if i < 0 {
					t.Fatalf("error text lacks %q after byte %d:\n%s", w, at, text)
				}
				at += i + len(w)
			}
			for _, l := range tt.lacks {
				if strings.Contains(text, l) {
					t.Errorf("error text has %q:\n%s", l, text)
				}
			}
			if n := strings.Count(text, "error:"); n != len(de.Diags) || strings.Count(text, "Env file not found") > 1 {
				t.Errorf("%d diagnostics:\n%s", n, text)
			}
		})
	}
}

// An env file that is a FIFO is refused at once, never waited on.
func TestEnvFileFIFO(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"supervise.hcl": "module \"a\" {\n  command  = [\"a\"]\n  env_file = [\"fifo.env\"]\n}\n"})
	if err := syscall.Mkfifo(filepath.Join(root, "fifo.env"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(filepath.Join(root, "supervise.hcl"))
	if err == nil || !strings.Contains(err.Error(), "it is a FIFO (named pipe), not a regular file") {
		t.Errorf("Load = %v", err)
	}
}

// The .env beside a Procfile reads ${NAME} from svman's environment too.
func TestProcfileEnvExpands(t *testing.T) {
	t.Setenv("SVMAN_PROCFILE_HOST", "db.internal")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Procfile": "web: ./web\n", ".env": "PORT=5000\nURL=\"http://${SVMAN_PROCFILE_HOST}:$PORT\"\n"})
	m, err := LoadProcfile(filepath.Join(dir, "Procfile"))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"PORT": "5000", "URL": "http://db.internal:5000"}; !reflect.DeepEqual(m.Modules[0].Env, want) {
		t.Errorf("Env = %q, want %q", m.Modules[0].Env, want)
	}
}
