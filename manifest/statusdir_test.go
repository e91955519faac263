package manifest

import (
	"path/filepath"
	"testing"
)

// StatusDirOf finds the status_dir of a broken manifest only where it is sure.
func TestStatusDirOf(t *testing.T) {
	tests := []struct {
		name string
		file string // the manifest's name in the directory
		src  string
		want string // relative to the manifest's directory; "" means no answer
	}{
		{"syntax error after status_dir", "supervise.hcl",
			"status_dir = \"./run/st\"\nmodule \"a\" {\n  command = [\"x\"\n}\n", "run/st"},
		{"validation error only", "supervise.hcl",
			"status_dir = \"st\"\nmodule \"a\" {\n  comand = \"x\"\n}\n", "st"},
		{"a function in status_dir", "supervise.hcl",
			"status_dir = lower(\"ST\")\nmodule \"a\" {\n", "st"},
		{"no status_dir anywhere: the default", "supervise.hcl",
			"module \"a\" {\n  command = [\"x\"\n}\n", "status"},
		{"status_dir after the syntax error", "supervise.hcl",
			"module \"a\" {\n  command = [\"x\"\n}\nstatus_dir = \"st\"\n", ""},
		{"the syntax error inside status_dir", "supervise.hcl",
			"status_dir = \"./st\nmodule \"a\" {}\n", ""},
		{"status_dir only in a comment of a broken file", "supervise.hcl",
			"# status_dir = \"st\"\nmodule \"a\" {\n", ""},
		{"status_dir not a string", "supervise.hcl",
			"status_dir = [1]\nmodule \"a\" {\n", ""},
		{"a Procfile", "Procfile",
			"web: ./web\nthis is not a Procfile line\n", "status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{tt.file: tt.src})
			got, ok := StatusDirOf(filepath.Join(dir, tt.file))
			switch {
			case tt.want == "" && ok:
				t.Errorf("StatusDirOf = %q, want no answer", got)
			case tt.want != "" && (!ok || got != filepath.Join(dir, tt.want)):
				t.Errorf("StatusDirOf = %q, %v; want %q", got, ok, filepath.Join(dir, tt.want))
			}
		})
	}
	if _, ok := StatusDirOf(filepath.Join(t.TempDir(), "missing.hcl")); ok {
		t.Error("StatusDirOf answered for a missing file")
	}
}
