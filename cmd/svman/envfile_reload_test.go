package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"svman/internal/testkit"
)

// Each way editors save, applied to an env file while svman up runs, restarts
// the module that reads it, with the new value, and no other module.
func TestEnvFileSaveRestartsOnlyItsModule(t *testing.T) {
	p := newProject(t, helperModuleEnv("app", "showenv", map[string]string{testkit.PrintEnv: "N"}, `env_file = ["conf/app.env"]`)+sleepModules(3))
	envPath := filepath.Join(p.dir, "conf", "app.env")
	if err := os.MkdirAll(filepath.Dir(envPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(envPath, []byte("N=0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sv := p.up()
	sv.waitOutput(`app +\| N=0\n`)
	others := p.pids(names(3)...)
	for i, style := range []string{"in place", "truncate and write", "rename over", "delete and create"} {
		if err := saveStyles[style](envPath, fmt.Appendf(nil, "# saved %s\nN=%d\n", style, i+1)); err != nil {
			t.Fatal(err)
		}
		sv.waitOutput(fmt.Sprintf(`app +\| N=%d\n`, i+1))
	}
	sv.barrier()
	if got := p.pids(names(3)...); fmt.Sprint(got) != fmt.Sprint(others) {
		t.Errorf("modules without env files restarted: %v, then %v", others, got)
	}
	sv.stop()
}

// An env file in a directory that cannot be watched is said once on the
// console; the file still applies at a reload.
func TestEnvFileUnwatchableDirectoryIsSaid(t *testing.T) {
	p := newProject(t, helperModuleEnv("app", "showenv", map[string]string{testkit.PrintEnv: "LATE"}, `env_file = ["later/app.env?"]`))
	sv := p.up()
	sv.waitOutput(`cannot watch ` + regexp.QuoteMeta(filepath.Join(p.dir, "later")) + `: .*: edits of the env files there apply at the next 'svman reload'`)
	sv.waitOutput(`app +\| LATE=\n`)
	if err := os.MkdirAll(filepath.Join(p.dir, "later"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.dir, "later", "app.env"), []byte("LATE=yes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sv.barrier()
	sv.waitOutput(`app +\| LATE=yes\n`)
	sv.stop()
}
