package main

import (
	"strings"
	"testing"

	"svman/internal/testkit"
)

func TestConsoleFilters(t *testing.T) {
	p := newProject(t, helperModuleEnv("a", "showenv", map[string]string{testkit.PrintEnv: "SVMAN_MODULE"})+
		helperModuleEnv("b", "showenv", map[string]string{testkit.PrintEnv: "SVMAN_MODULE"}))

	// A line a filter hides must have been written before svman stops, or its
	// absence proves nothing: the log files get every line, the console after.
	written := p.linesWritten("b", "SVMAN_MODULE=b")
	only := p.start("up", "-f", p.manifestPath(), "--only", "a")
	only.waitOutput(`a +\| SVMAN_MODULE=a\n`)
	only.waitOutput(`b started`) // svman's own lines are always shown
	p.waitLinesWritten("b", "SVMAN_MODULE=b", written+1)
	only.stop()
	if strings.Contains(only.out.String(), "SVMAN_MODULE=b") {
		t.Errorf("--only a showed b's output:\n%s", only.out)
	}

	written = p.linesWritten("a", "SVMAN_MODULE=a")
	except := p.start("up", "-f", p.manifestPath(), "--except", "a", "--no-timestamps")
	except.waitOutput(`(?m)^b +\| SVMAN_MODULE=b\n`)
	p.waitLinesWritten("a", "SVMAN_MODULE=a", written+1)
	except.stop()
	if strings.Contains(except.out.String(), "SVMAN_MODULE=a") {
		t.Errorf("--except a showed a's output:\n%s", except.out)
	}

	raw := p.start("up", "-f", p.manifestPath(), "--only", "b", "--raw")
	raw.waitOutput(`(?m)^SVMAN_MODULE=b\n`)
	raw.stop()

	if code, _, errOut := p.runArgs("up", "-f", p.manifestPath(), "--raw"); code != 2 || !strings.Contains(errOut, "--raw shows one module") {
		t.Errorf("--raw without --only = %d %q", code, errOut)
	}
	if code, _, errOut := p.runArgs("up", "-f", p.manifestPath(), "--only", "nope"); code != 2 || !strings.Contains(errOut, `no module named "nope" (modules: a, b)`) {
		t.Errorf("--only nope = %d %q", code, errOut)
	}
}
