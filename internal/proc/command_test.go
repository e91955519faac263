package proc

import (
	"slices"
	"testing"

	"svman/manifest"
)

func TestChildEnvLeavesOutSvmansOwnServiceManagerVariables(t *testing.T) {
	base := []string{
		"PATH=/usr/bin",
		"NOTIFY_SOCKET=/run/systemd/notify",
		"WATCHDOG_PID=1", "WATCHDOG_USEC=30000000",
		"LISTEN_PID=1", "LISTEN_FDS=2", "LISTEN_FDNAMES=a:b",
		"SMTP_PASS=hunter2",
	}
	got := ChildEnv(base, []string{"hunter2"}, map[string]string{"APP": "1"})
	want := []string{"APP=1", "PATH=/usr/bin"}
	if !slices.Equal(got, want) {
		t.Errorf("ChildEnv = %q, want %q", got, want)
	}

	// A module's own notify socket, or its own LISTEN_FDS, comes through a set.
	got = ChildEnv(base, nil,
		map[string]string{"NOTIFY_SOCKET": "@svman/1"},
		map[string]string{"LISTEN_FDS": "1"})
	want = []string{"LISTEN_FDS=1", "NOTIFY_SOCKET=@svman/1", "PATH=/usr/bin", "SMTP_PASS=hunter2"}
	if !slices.Equal(got, want) {
		t.Errorf("ChildEnv with the module's own = %q, want %q", got, want)
	}
}

// ModuleEnv layers, lowest first: svman's environment (without secrets and its
// service manager's variables) or env_clear's PATH, the user's, extra, the
// module's env, mark.
func TestModuleEnvPrecedence(t *testing.T) {
	environ := []string{"PATH=/svman/bin", "HOME=/root", "KEEP=svman", "PASS=hunter2", "NOTIFY_SOCKET=/run/n", "X=svman"}
	user := &manifest.Credential{Name: "www", Home: "/var/www"}
	extra := map[string]string{"X": "extra", "E": "extra"}
	mark := map[string]string{"SVMAN_MODULE": "web", "E": "mark"}
	for _, tc := range []struct {
		name string
		m    manifest.Module
		want []string
	}{
		{"svman's environment", manifest.Module{Env: map[string]string{"X": "env"}},
			[]string{"E=mark", "HOME=/root", "KEEP=svman", "PATH=/svman/bin", "SVMAN_MODULE=web", "X=env"}},
		{"env_clear", manifest.Module{EnvClear: true, Env: map[string]string{"A": "1"}},
			[]string{"A=1", "E=mark", "PATH=" + manifest.DefaultPath, "SVMAN_MODULE=web", "X=extra"}},
		{"env_clear with a PATH", manifest.Module{EnvClear: true, Env: map[string]string{"PATH": "/opt/bin"}},
			[]string{"E=mark", "PATH=/opt/bin", "SVMAN_MODULE=web", "X=extra"}},
		{"another user", manifest.Module{User: user, Env: map[string]string{"USER": "env"}},
			[]string{"E=mark", "HOME=/var/www", "KEEP=svman", "LOGNAME=www", "PATH=/svman/bin", "SVMAN_MODULE=web", "USER=env", "X=extra"}},
	} {
		got := ModuleEnv(&tc.m, environ, []string{"hunter2"}, extra, mark)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: ModuleEnv = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// ProcessEnv marks a module's process with its name and status directory, over
// whatever the module's env says of them.
func TestProcessEnvMarksTheModule(t *testing.T) {
	m := manifest.Module{Name: "web.1", EnvClear: true, Env: map[string]string{
		"A": "1", EnvModule: "spoofed", EnvStatusDir: "/elsewhere",
	}}
	got := ProcessEnv(&m, "/srv/app/status/web.1", nil, map[string]string{"B": "2"})
	want := []string{"A=1", "B=2", "PATH=" + manifest.DefaultPath, EnvModule + "=web.1", EnvStatusDir + "=/srv/app/status/web.1"}
	if !slices.Equal(got, want) {
		t.Errorf("ProcessEnv = %q, want %q", got, want)
	}
}
