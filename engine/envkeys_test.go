package engine

import (
	"fmt"
	"testing"

	"svman/manifest"
	"svman/statusfs"
)

// A plan names the variables of env that changed, never their values, also
// when it compares what module.json records (hashes of the values).
func TestPlanNamesChangedEnvKeys(t *testing.T) {
	with := func(env map[string]string, clear bool) manifest.Module {
		return mod("web", func(m *manifest.Module) { m.Env, m.EnvClear = env, clear })
	}
	tests := []struct {
		name     string
		old, new manifest.Module
		want     string // the plan's line
		detail   string
	}{
		{"a value changed, one added, one removed",
			with(map[string]string{"PORT": "5000", "DATABASE_URL": "postgres://a", "OLD": "x", "SAME": "s"}, false),
			with(map[string]string{"PORT": "5001", "DATABASE_URL": "postgres://b", "NEW": "y", "SAME": "s"}, false),
			"+0 -0 ~1 (0 unchanged): ~web (env (DATABASE_URL, NEW, OLD, PORT))", "[env (DATABASE_URL, NEW, OLD, PORT)]"},
		{"from none", with(nil, false), with(map[string]string{"A": "1"}, false),
			"+0 -0 ~1 (0 unchanged): ~web (env (A))", "[env (A)]"},
		{"env_clear alone", with(map[string]string{"A": "1"}, false), with(map[string]string{"A": "1"}, true),
			"+0 -0 ~1 (0 unchanged): ~web (env)", "[env]"},
		{"with other changes", with(map[string]string{"A": "1"}, false),
			mod("web", func(m *manifest.Module) { m.Env, m.Dir = map[string]string{"A": "2"}, "/elsewhere" }),
			"+0 -0 ~1 (0 unchanged): ~web (dir, env (A))", "[dir env (A)]"},
		{"no change", with(map[string]string{"A": "1"}, false), with(map[string]string{"A": "1"}, false),
			"+0 -0 ~0 (1 unchanged)", "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, recorded := range []bool{false, true} {
				old, new := tt.old, tt.new
				if recorded {
					old, new = statusfs.Recorded(old), statusfs.Recorded(new)
				}
				p := Diff([]manifest.Module{old}, []manifest.Module{new})
				if got := p.String(); got != tt.want {
					t.Errorf("recorded %v: plan %q, want %q", recorded, got, tt.want)
				}
				if got := fmt.Sprint(p.Detail("web")); got != tt.detail {
					t.Errorf("recorded %v: Detail = %s, want %s", recorded, got, tt.detail)
				}
			}
		})
	}
}
