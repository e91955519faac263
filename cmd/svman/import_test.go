package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"svman/legacy"
	"svman/manifest"
)

// runImportCmd runs svman import in-process.
func runImportCmd(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"import"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// importConfs are the confs of the round trip: the reference's and the seed
// notes' examples, and the corners of the legacy rules.
var importConfs = map[string]string{
	"reference": "../../legacy/testdata/reference.conf",
	"seed":      "../../legacy/testdata/seed.conf",
	"no global": "[a]\nmax_tries : 3\nalarm_mail : a@example.com\nalarm_gsm : 1 2\n[b]\n",
	"empty":     "",
	"overrides": `[before]
alarm_interval : 0
alarm_gsm : 1 2 3
[global]
alarm_interval : 30
alarm_mail : ops@example.com
alarm_gsm : 100 101 102 103 104 105 106 107
max_tries : 0
max_tries_if_coredumped : 9
[after]
alarm_interval : 0
max_tries : 4
alarm_mail : dev@example.com other@example.com
alarm_gsm : 108 109 110 111
[same]
alarm_interval : 30
max_tries : 0
[off]
alarm_interval : 600
`,
	"global off": "[global]\nalarm_interval : 0\nmax_tries : 5\n[m]\nmax_tries_if_coredumped : 2\n",
}

// The imported manifest's policy of each module is what supervise.conf gives it
// under the legacy rules; alarm_gsm numbers become the exec placeholder's arguments.
func TestImportRoundTrip(t *testing.T) {
	for name, src := range importConfs {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			confPath := filepath.Join(dir, "supervise.conf")
			if strings.HasSuffix(src, ".conf") {
				b, err := os.ReadFile(src)
				if err != nil {
					t.Fatal(err)
				}
				src = string(b)
			}
			writeFile(t, confPath, src)
			conf, _, err := legacy.LoadConf(confPath)
			if err != nil {
				t.Fatal(err)
			}
			var modules []string
			for _, s := range conf.Sections() {
				if s != legacy.GlobalSection {
					modules = append(modules, s)
				}
			}
			args := []string{"-o", filepath.Join(dir, "supervise.hcl")}
			for _, m := range modules {
				args = append(args, "--module", m+"=./bin/"+m+"  -c conf/"+m+".conf")
			}
			code, out, errOut := runImportCmd(append(args, confPath)...)
			if code != exitOK || out != "" {
				t.Fatalf("import = %d, stdout %q, stderr:\n%s", code, out, errOut)
			}
			m, err := manifest.Load(filepath.Join(dir, "supervise.hcl"))
			if err != nil {
				text, _ := os.ReadFile(filepath.Join(dir, "supervise.hcl"))
				t.Fatalf("the imported manifest does not load: %v\n%s", err, text)
			}
			if len(m.Modules) != len(modules) {
				t.Fatalf("%d modules, want %d", len(m.Modules), len(modules))
			}
			for i, mod := range m.Modules {
				name := modules[i]
				p := conf.Policy(name)
				want := manifest.Alarm{Interval: p.AlarmInterval, MaxTries: p.MaxTries, MaxTriesIfCoredumped: p.MaxTriesIfCoredumped, Mail: p.Mail}
				if len(p.GSM) > 0 {
					want.Exec = append([]string{filepath.Join(dir, "notify-sms")}, p.GSM...)
				}
				if mod.Name != name || !reflect.DeepEqual(mod.Alarm, want) {
					t.Errorf("module %s: alarm %+v, want %+v (policy %+v)", mod.Name, mod.Alarm, want, p)
				}
				if argv := []string{"./bin/" + name, "-c", "conf/" + name + ".conf"}; !reflect.DeepEqual(mod.Command, argv) || mod.Shell {
					t.Errorf("module %s: command %q, want %q", name, mod.Command, argv)
				}
				r := mod.Restart
				if r.Policy != manifest.RestartAlways || r.Delay != time.Second || r.MaxDelay != time.Second {
					t.Errorf("module %s: restart %+v, want always, 1s, at most 1s", name, r)
				}
			}
		})
	}
}

func TestImportSeedOutput(t *testing.T) {
	code, out, errOut := runImportCmd("--module", "appui=./bin/appui", "../../legacy/testdata/seed.conf", "--module=transmit=./bin/transmit")
	if code != exitOK {
		t.Fatalf("import = %d: %s", code, errOut)
	}
	for _, want := range []string{
		"defaults {\n  restart {\n    policy    = \"always\"\n    delay     = \"1s\"\n    max_delay = \"1s\"\n  }\n",
		"    interval                = \"60s\"\n    max_tries               = 0\n",
		`    exec = ["./notify-sms", "18345025595", "someMobileGroup"]`,
		"# alarm_gsm: point exec at the script that sends an SMS",
		"module \"transmit\" {\n  command = [\"./bin/transmit\"]\n",
		"  inherit_defaults = false\n",
		"module \"appui\" {\n  command = [\"./bin/appui\"]\n  alarm {\n    interval                = \"120s\"\n",
		`    mail                    = ["fannaihao@baidu.com", "somebody@baidu.com"]`,
		"\n# module \"someOtherModuleName\" {\n#   command = [\"./someOtherModuleName\"]\n#   alarm {\n#     max_tries               = 8\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks:\n%s\noutput:\n%s", want, out)
		}
	}
	for _, want := range []string{
		"seed.conf:22: warning: no ':' after a key",
		"seed.conf:5: warning: section [someModuleThatNoNeedNewFunction] has no --module",
		"seed.conf:19: warning: section [someOtherModuleName] has no --module",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "[appui]") || strings.Contains(errOut, "[transmit]") {
		t.Errorf("stderr reports sections that have a --module:\n%s", errOut)
	}
}

// A Procfile imports into the modules LoadProcfile makes of it.
func TestImportProcfile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "Procfile"), "web: bundle exec rails s -p $PORT\n# a comment\nworker: ./worker \"${QUEUE}\" 100%{x}\n")
	writeFile(t, filepath.Join(dir, ".env"), "export PORT=5000\nQUEUE='a b'\nMSG=\"x\\ny\"\n")
	out := filepath.Join(dir, "supervise.hcl")
	code, stdout, errOut := runImportCmd("-o", out, filepath.Join(dir, "Procfile"))
	if code != exitOK || stdout != "" || errOut != "" {
		t.Fatalf("import = %d %q %q", code, stdout, errOut)
	}
	fromHCL, err := manifest.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	fromProcfile, err := manifest.LoadProcfile(filepath.Join(dir, "Procfile"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromHCL.Modules, fromProcfile.Modules) || len(fromHCL.Modules) != 2 || fromHCL.StatusDir != fromProcfile.StatusDir {
		t.Errorf("imported %+v\nLoadProcfile %+v", fromHCL.Modules, fromProcfile.Modules)
	}
	if env := fromHCL.Modules[1].Env; env["QUEUE"] != "a b" || env["MSG"] != "x\ny" || env["PORT"] != "5000" {
		t.Errorf("env = %q", env)
	}
	if got := fromHCL.Modules[1].Command[2]; got != `./worker "${QUEUE}" 100%{x}` {
		t.Errorf("command = %q", got)
	}

	// A bad line is an error with its number, as for svman up -f Procfile:
	// nothing is written, rather than a manifest without that process.
	writeFile(t, filepath.Join(dir, "Procfile"), "web: ./web\nbroken line\n")
	code, stdout, errOut = runImportCmd("-o", out, filepath.Join(dir, "Procfile"))
	if code != exitFailure || stdout != "" || !strings.Contains(errOut, "Procfile:2:1: error: Invalid Procfile line") || !strings.Contains(errOut, "nothing written") {
		t.Errorf("import of a Procfile with a bad line = %d:\n%s\n%s", code, stdout, errOut)
	}
	if m, err := manifest.Load(out); err != nil || len(m.Modules) != 2 {
		t.Errorf("the failed import changed %s: %v", out, err)
	}
}
