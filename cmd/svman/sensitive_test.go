package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"svman/internal/testkit"
)

// secretToken is in the secrets of TestSecretsNotInDiagnostics: no output may
// hold it.
const secretToken = "SECRET-TOKEN-c41d"

// TestSecretsNotInDiagnostics: a manifest whose file() and env() values fail
// their checks is reported by svman check and by a reload on svman up's console
// with the expressions' source text, never with what they read; valid ones
// still work.
func TestSecretsNotInDiagnostics(t *testing.T) {
	t.Setenv("SVMAN_TEST_SECRET", secretToken+"-env") // svman up runs with the test's environment
	exe, _ := os.Executable()
	good := fmt.Sprintf(`module "a" {
  command = [%q]
  env     = { %s = "showenv", SVMAN_TEST_PRINT = "PW", PW = trimspace(file("pw")) }
}
`, exe, testkit.RoleEnv)
	p := newProject(t, good)
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(p.dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("pw", "valid-from-file\n")
	write("shadow", "root:"+secretToken+":19000:0:99999:7:::\n")
	bad := good + `module "b" {
  command     = ["/bin/true"]
  user        = file("shadow")
  umask       = file("shadow")
  stop_signal = env("SVMAN_TEST_SECRET")
}
`
	sv := p.up()
	sv.waitOutput(`(?m) a +\| PW=valid-from-file$`)

	p.write(bad)
	code, out, errOut := p.svmanCmd("check")
	if code != 1 || strings.Contains(out+errOut, secretToken) || !strings.Contains(errOut, `user file("shadow") does not exist`) ||
		!strings.Contains(errOut, `file("shadow") is not a umask`) || !strings.Contains(errOut, `stop_signal = env("SVMAN_TEST_SECRET") is not a signal`) {
		t.Errorf("svman check = %d:\n%s%s", code, out, errOut)
	}

	sv.waitOutput(`reload: .*supervise.hcl is not valid; keeping the running configuration`)
	sv.waitOutput(regexp.QuoteMeta(`stop_signal = env("SVMAN_TEST_SECRET") is not a signal`))
	sv.stop()
	if strings.Contains(sv.out.String(), secretToken) {
		t.Errorf("svman up's console shows a secret:\n%s", sv.out)
	}
}
