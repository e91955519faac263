package manifest

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// secretToken is in every secret of these tests: no diagnostic may hold it.
const secretToken = "SECRET-TOKEN-7f3a"

// TestSensitiveValuesNotShown: a value read with file() or env() that fails a
// check is reported with its expression's source text, never with what was
// read, wherever it is used.
func TestSensitiveValuesNotShown(t *testing.T) {
	t.Setenv("SVMAN_TEST_SECRET", secretToken+"-env")
	t.Setenv("SVMAN_TEST_SECRET_PATH", "missing-"+secretToken)
	files := map[string]string{
		"shadow":      "root:" + secretToken + ":19000:0:99999:7:::\nnobody:*:19000::::::\n",
		"secret":      secretToken + "\n",
		"secret.json": `{"` + secretToken + `=x": "v", "n": -` + "1234567" + `}`,
		"list.json":   `{"` + secretToken + `": [1]}`,
	}
	module := func(body string) string {
		return "module \"m\" {\n  command = [\"/bin/true\"]\n  " + body + "\n}\n"
	}
	for _, tc := range []struct{ name, src, shown string }{
		{"user", module(`user = file("shadow")`), `user file("shadow") does not exist`},
		{"user from env", module(`user = env("SVMAN_TEST_SECRET")`), `env("SVMAN_TEST_SECRET")`},
		{"group", module(`group = trimspace(file("secret"))`), `trimspace(file("secret"))`},
		{"umask", module(`umask = file("secret")`), `file("secret") is not a umask`},
		{"stop_signal", module(`stop_signal = env("SVMAN_TEST_SECRET")`), `stop_signal = env("SVMAN_TEST_SECRET") is not a signal`},
		{"stop_timeout", module(`stop_timeout = "${env("SVMAN_TEST_SECRET")}s"`), `"${env("SVMAN_TEST_SECRET")}s" is not a duration`},
		{"policy", module(`restart { policy = env("SVMAN_TEST_SECRET") }`), `env("SVMAN_TEST_SECRET") is not a restart policy`},
		{"nofile", module(`limits { nofile = file("secret") }`), `file("secret") is not a whole number`},
		{"max_size", module(`log { max_size = env("SVMAN_TEST_SECRET") }`), `env("SVMAN_TEST_SECRET") is not a size`},
		{"keep", module(`log { keep = jsondecode(file("secret.json")).n }`), `keep cannot be negative (jsondecode(file("secret.json")).n)`},
		{"env name", module(`env = jsondecode(file("secret.json"))`), `jsondecode(file("secret.json"))`},
		{"env value", module(`env = jsondecode(file("list.json"))`), `jsondecode(file("list.json")) is not valid here`},
		{"mail", module(`alarm { mail = [env("SVMAN_TEST_SECRET")] }`), `env("SVMAN_TEST_SECRET") is not an email address.`},
		{"webhook", module(`alarm { webhook = env("SVMAN_TEST_SECRET") }`), `env("SVMAN_TEST_SECRET") is not an http or https URL`},
		{"file of env", module(`user = file(env("SVMAN_TEST_SECRET_PATH"))`), `cannot read (sensitive value)`},
		{"call error", module(`umask = jsondecode(file("secret"))`), `Call to function "jsondecode" failed. Why is not shown`},
		{"file error", module(`user = file("missing")`), `cannot read "missing"`},
		{"smtp host", `smtp { host = file("secret") }` + "\n" + module(""), `file("secret") is not a host name`},
		{"smtp from", `smtp { from = file("secret") }` + "\n" + module(""), `file("secret") is not an email address.`},
		{"smtp user", `smtp {
  username = file("secret")
  password = ""
}` + "\n" + module(""), `cannot log in as file("secret")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, files)
			writeFiles(t, dir, map[string]string{"supervise.hcl": tc.src})
			_, err := Load(filepath.Join(dir, "supervise.hcl"))
			var de *DiagError
			if !errors.As(err, &de) {
				t.Fatalf("Load = %v, want diagnostics", err)
			}
			text := err.Error()
			if strings.Contains(text, secretToken) {
				t.Errorf("a diagnostic shows the secret:\n%s", text)
			}
			if !strings.Contains(text, tc.shown) {
				t.Errorf("the diagnostics do not show %q:\n%s", tc.shown, text)
			}
		})
	}
}

// TestSensitiveValuesUsed: file() and env() values that pass every check reach
// the Module as plain values.
func TestSensitiveValuesUsed(t *testing.T) {
	t.Setenv("SVMAN_TEST_SECRET", secretToken)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"pw": secretToken + "-file\n",
		"supervise.hcl": `module "m" {
  command     = ["/bin/echo", env("SVMAN_TEST_SECRET")]
  env         = { PW = trimspace(file("pw")), (env("SVMAN_TEST_SECRET")) = "key" }
  stop_signal = env("SVMAN_TEST_UNSET", "INT")
}
`,
	})
	m, err := Load(filepath.Join(dir, "supervise.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	mod := m.Modules[0]
	if mod.Command[1] != secretToken || mod.Env["PW"] != secretToken+"-file" || mod.Env[secretToken] != "key" || mod.StopSignal.String() != "interrupt" {
		t.Errorf("module = %+v", mod)
	}
}
