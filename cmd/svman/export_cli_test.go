package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// svman export's command line: the target before or after the flags, and a
// clear usage error for every way to get it wrong.
func TestExportCommandLine(t *testing.T) {
	p := newProject(t, "module \"web\" {\n  command = [\"/bin/sleep\", \"60\"]\n}\nmodule \"api\" {\n  command   = [\"/bin/sleep\", \"60\"]\n  instances = 2\n}\n")
	tests := []struct {
		args     []string
		code     int
		inStderr string
	}{
		{[]string{"export", "-f", p.manifestPath()}, exitUsage, "say what to export to"},
		{[]string{"export", "kubernetes", "-f", p.manifestPath()}, exitUsage, `unknown target "kubernetes"`},
		{[]string{"export", "systemd", "--driver", "exec", "-f", p.manifestPath()}, exitUsage, "--driver is for svman export nomad"},
		{[]string{"export", "-f", p.manifestPath(), "--user", "nomad"}, exitUsage, "--user is for svman export systemd"},
		{[]string{"export", "systemd", "-f", p.manifestPath(), "extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"export", "systemd", "--logs", "syslog", "-f", p.manifestPath()}, exitUsage, "want journal or files"},
		{[]string{"export", "nomad", "--driver", "docker", "-f", p.manifestPath()}, exitUsage, `no task driver "docker": the job's driver is raw_exec or exec`},
		{[]string{"export", "nomad", "--artifact", "nosuch=https://example.com/x", "-f", p.manifestPath()}, exitUsage, `an artifact is given for "nosuch", which is no module of`},
		{[]string{"export", "systemd", "--self", "--logs", "files", "-f", p.manifestPath()}, exitUsage, "--logs does not go with --self, whose one unit runs svman up: svman keeps the modules' output in the status directory"},
		{[]string{"export", "systemd", "--logs", "journal", "-f", p.manifestPath(), "--self"}, exitUsage, "--logs does not go with --self"},
		{[]string{"export", "systemd", "--self", "--user", "--project", "shop", "--strict", "-f", p.manifestPath()}, exitOK, ""},
		{[]string{"export", "nomad", "--artifact", "web", "-f", p.manifestPath()}, exitUsage, "want MODULE=URL"},
		{[]string{"export", "nomad", "--artifact", "api.1=https://example.com/api.tgz", "-f", p.manifestPath()}, exitUsage, `an artifact is given for "api.1", an instance of api: the instances of a block are one task, so give it for the block, api=URL`},
		{[]string{"export", "nomad", "--artifact", "api=https://example.com/api.tgz", "--driver", "exec", "-f", p.manifestPath()}, exitOK, ""},
		{[]string{"export", "systemd", "-f", p.dir + "/missing.hcl"}, exitFailure, "Manifest not found"},
	}
	for _, tt := range tests {
		code, _, stderr := p.runArgs(tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.inStderr) {
			t.Errorf("svman %s: exit %d, stderr:\n%s\nwant exit %d and %q", strings.Join(tt.args, " "), code, stderr, tt.code, tt.inStderr)
		}
	}
}

// What an export writes is for every user to read, as systemd's own units,
// unless it holds what may be a secret: then it is its owner's alone.
func TestExportFileModes(t *testing.T) {
	plain := newProject(t, "module \"web\" {\n  command = [\"/bin/sleep\", \"60\"]\n}\n")
	secret := newProject(t, "module \"web\" {\n  command = [\"/bin/sleep\", \"60\"]\n  env     = { TOKEN = file(\"token\") }\n}\n")
	writeFile(t, filepath.Join(secret.dir, "token"), "s3cret")
	for _, tt := range []struct {
		p    *project
		mode os.FileMode
	}{{plain, 0o644}, {secret, 0o600}} {
		units, job := filepath.Join(tt.p.dir, "units"), filepath.Join(tt.p.dir, "job.json")
		for _, args := range [][]string{{"systemd", "-o", units}, {"nomad", "-o", job}} {
			if code, _, stderr := tt.p.svmanCmd("export", args...); code != exitOK {
				t.Fatalf("svman export %v: exit %d\n%s", args, code, stderr)
			}
		}
		for _, path := range []string{filepath.Join(units, "svman-web.service"), job} {
			if fi, err := os.Stat(path); err != nil {
				t.Error(err)
			} else if fi.Mode().Perm() != tt.mode {
				t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), tt.mode)
			}
		}
	}
}
