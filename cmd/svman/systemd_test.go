package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The shipped unit passes systemd's own check, run on it with ExecStart's
// binary replaced by the svman under test (systemd-analyze checks that it is
// there and executable).
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("needs systemd-analyze")
	}
	unit, err := os.ReadFile(filepath.Join("..", "..", "examples", "systemd", "svman.service"))
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	execStart := regexp.MustCompile(`(?m)^ExecStart=/usr/local/bin/svman up -f `)
	if !execStart.Match(unit) {
		t.Fatalf("the unit has no ExecStart=/usr/local/bin/svman up -f ...:\n%s", unit)
	}
	unit = execStart.ReplaceAll(unit, []byte("ExecStart="+exe+" up -f "))
	path := filepath.Join(t.TempDir(), "svman.service")
	if err := os.WriteFile(path, unit, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || strings.Contains(string(out), "svman.service") {
		t.Errorf("systemd-analyze verify %s: %v\n%s", path, err, out)
	}
}
