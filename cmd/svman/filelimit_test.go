package main

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// More modules than the open-files limit allows: svman starts none of them and
// says what limit it needs, instead of supervising some and failing the rest.
func TestUpTooManyModulesForTheFileLimit(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("needs prlimit (util-linux) to run svman under a low open-files limit")
	}
	var manifest strings.Builder
	for i := range 40 {
		manifest.WriteString(helperModule(fmt.Sprintf("m%02d", i), "sleeper", ""))
	}
	p := newProject(t, manifest.String())
	cmd := newSvmanCmd(p.dir, "up", "-f", p.manifestPath())
	cmd.Args = append([]string{prlimit, "--nofile=64:64", "--"}, cmd.Args...)
	cmd.Path = prlimit
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("svman up with 40 modules under 64 open files succeeded; output:\n%s", out)
	}
	for _, want := range []string{"too many modules for the open-files limit", "may open 64 (ulimit -n): for 40 modules raise the limit to at least 536"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "started, pid") {
		t.Errorf("svman started modules it could not all supervise:\n%s", out)
	}
}
