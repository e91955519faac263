package manifest

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// validCase is a manifest that loads: want gets the manifest's absolute
// directory. Path and Digest are filled in by runValid, and so is SMTP when
// left zero (the built-in defaults).
type validCase struct {
	name  string
	src   string
	files map[string]string // extra files beside the manifest
	want  func(dir string) *Manifest
	warns []string // the summaries of the warnings Load gives, in order
}

// runValid writes each case to ROOT/m/supervise.hcl and loads it as
// "m/supervise.hcl" from ROOT, so relative paths in it resolve wrongly if Load
// ever used the working directory instead of the manifest's directory.
func runValid(t *testing.T, tests []validCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "m")
			writeFiles(t, dir, tt.files)
			writeFiles(t, dir, map[string]string{"supervise.hcl": tt.src})
			t.Chdir(root)

			got, err := Load("m/supervise.hcl")
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			var warns []string
			if got.Warnings != nil {
				for _, d := range got.Warnings.Diags {
					warns = append(warns, d.Summary)
				}
			}
			if !reflect.DeepEqual(warns, tt.warns) {
				t.Errorf("warnings %q, want %q", warns, tt.warns)
			}
			got.Warnings, got.Sites = nil, nil // sites_test.go checks the sites
			want := tt.want(dir)
			want.Path = filepath.Join(dir, "supervise.hcl")
			want.Digest = sha256.Sum256([]byte(tt.src))
			if want.SMTP == (SMTP{}) {
				want.SMTP = builtinSMTP()
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load mismatch\n got: %+v\nwant: %+v", got, want)
			}
		})
	}
}

// builtinSMTP is the smtp settings of a manifest without an smtp block.
func builtinSMTP() SMTP {
	host, err := os.Hostname()
	if err != nil {
		host = "localhost"
	}
	return SMTP{Host: "127.0.0.1", Port: 25, From: "svman@" + host}
}

// writeFiles creates each file (name relative to dir) with its contents.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
