package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load as a manifest file. Whatever the input,
// Load must not panic and must return exactly one of a Manifest or a *DiagError.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(``))
	f.Add([]byte(`module "a" { command = ["x"] }`))
	f.Add([]byte("defaults {\n  stop_timeout = \"1s\"\n  restart {\n    policy = \"never\"\n  }\n}\nmodule \"b\" {\n  command = \"echo hi\"\n  env = { A = env(\"HOME\", \"x\") }\n}\n"))
	f.Add([]byte(`module "c" { command = [null, [], {}] }`))
	f.Add([]byte(`module "d" { command = jsondecode("[null]") }`))
	f.Add([]byte(`module "e" { command = ["x"]` + "\n" + `env = { (upper("a")) = null } }`))
	f.Add([]byte("module \"\xff\" {"))
	// Sensitive values (env, file) through keys, templates, for and conditionals.
	f.Add([]byte(`module "f" {
  command     = [for s in split(":", env("PATH")) : s if s != ""]
  env         = { (env("HOME")) = env("X") == "" ? file("fuzz.hcl") : "b" }
  user        = file("fuzz.hcl")
  stop_signal = "${env("HOME")}x"
  log { max_size = env("HOME") }
}`))
	if seeds, err := filepath.Glob("testdata/bad/*.hcl"); err == nil {
		for _, s := range seeds {
			if b, err := os.ReadFile(s); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.hcl")
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Load(path)
		var de *DiagError
		switch {
		case err == nil && m == nil:
			t.Fatal("Load returned neither a manifest nor an error")
		case err != nil && m != nil:
			t.Fatalf("Load returned both a manifest and %v", err)
		case err != nil && !errors.As(err, &de):
			t.Fatalf("error is %T, not *DiagError: %v", err, err)
		case err != nil && !de.Diags.HasErrors():
			t.Fatalf("DiagError without an error diagnostic: %v", err)
		case err != nil:
			_ = err.Error() // rendering must not panic either
		}
	})
}
