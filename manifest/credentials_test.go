package manifest

import (
	"os/user"
	"path/filepath"
	"reflect"
	"testing"
)

// rootUser is the Credential Load makes of root written as name ("root" or "0"),
// from this machine's user database: root's home and supplementary groups vary.
func rootUser(t *testing.T, name string) *Credential {
	t.Helper()
	u, err := user.Lookup("root")
	if err != nil {
		t.Fatal(err)
	}
	c, err := lookupUser(name, name == "0", 0)
	if err != nil || c == nil {
		t.Fatalf("lookupUser(%q) = %+v, %v", name, c, err)
	}
	if c.ID != 0 || c.GID != 0 || c.Home != u.HomeDir {
		t.Fatalf("root is %+v, want uid 0, gid 0, home %q", c, u.HomeDir)
	}
	return c
}

// TestLoadCredentials loads good manifests using user, group, umask and
// env_clear (see runValid). It uses root and ids no machine has, so it passes
// whoever runs it: nothing needs root at load time.
func TestLoadCredentials(t *testing.T) {
	umask := func(v uint32) *uint32 { return &v }
	rootGroup := func(name string) *Credential { return &Credential{Name: name, ID: 0} }
	runValid(t, []validCase{{
		name: "names, ids and unknown ids",
		src: `
module "names" {
  command = ["x"]
  user    = "root"
  group   = "root"
  umask   = "027"
}
module "ids" {
  command = ["x"]
  user    = 0
  group   = "0"
  umask   = " 0 "
}
module "unknown-ids" {
  command = ["x"]
  user    = "4000000"
  group   = "04000001"
  umask   = "0777"
}
`,
		want: func(dir string) *Manifest {
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
				with(builtin(dir, "names", "x"), func(m *Module) {
					m.User, m.Group, m.Umask = rootUser(t, "root"), rootGroup("root"), umask(0o27)
				}),
				with(builtin(dir, "ids", "x"), func(m *Module) {
					m.User, m.Group, m.Umask = rootUser(t, "0"), rootGroup("0"), umask(0)
				}),
				with(builtin(dir, "unknown-ids", "x"), func(m *Module) {
					m.User = &Credential{Name: "4000000", ID: 4000000, GID: 4000000, Home: "/"}
					m.Group = &Credential{Name: "04000001", ID: 4000001}
					m.Umask = umask(0o777)
				}),
			}}
		},
	}, {
		name: "user, group, umask and env_clear merge with defaults",
		src: `
defaults {
  user      = "root"
  umask     = "0027"
  env_clear = true
  env       = { A = "1" }
}
module "inherits" {
  command = ["x"]
  group   = "0"
}
module "overrides" {
  command   = ["x"]
  user      = "4000000"
  umask     = "22"
  env_clear = false
}
module "alone" {
  command          = ["x"]
  inherit_defaults = false
  env_clear        = true
}
`,
		want: func(dir string) *Manifest {
			return &Manifest{StatusDir: filepath.Join(dir, "status"), Modules: []Module{
				with(builtin(dir, "inherits", "x"), func(m *Module) {
					m.User, m.Group, m.Umask = rootUser(t, "root"), rootGroup("0"), umask(0o27)
					m.Env, m.EnvClear = map[string]string{"A": "1"}, true
				}),
				with(builtin(dir, "overrides", "x"), func(m *Module) {
					m.User = &Credential{Name: "4000000", ID: 4000000, GID: 4000000, Home: "/"}
					m.Umask = umask(0o22)
					m.Env = map[string]string{"A": "1"}
				}),
				with(builtin(dir, "alone", "x"), func(m *Module) { m.EnvClear = true }),
			}}
		},
	}})
}

// TestLookupUserGroups checks a user's supplementary groups against os/user:
// sorted, without duplicates or the primary group, nil when there are none.
func TestLookupUserGroups(t *testing.T) {
	c := rootUser(t, "root")
	u, _ := user.Lookup("root")
	ids, err := u.GroupIds()
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint32]bool{}
	for _, id := range ids {
		if n, err := parseID("group id", id); err == nil && n != c.GID {
			want[n] = true
		}
	}
	if len(c.Groups) != len(want) || (len(want) == 0) != (c.Groups == nil) {
		t.Fatalf("root's groups are %v, want the ids of %v but %d", c.Groups, ids, c.GID)
	}
	for i, g := range c.Groups {
		if !want[g] || (i > 0 && c.Groups[i-1] >= g) {
			t.Fatalf("root's groups are %v, want the ids of %v sorted, without %d", c.Groups, ids, c.GID)
		}
	}
}

// TestUnknownNameHint checks where did-you-mean hints come from: the first field
// of passwd and group lines, without comments and NIS entries.
func TestUnknownNameHint(t *testing.T) {
	names := namesFrom("root:x:0:0:root:/root:/bin/sh\n# www:comment\n+nis::::::\n-old:\n\nwww-data:x:33:33::/var/www:/usr/sbin/nologin")
	if want := []string{"root", "www-data"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("namesFrom = %q, want %q", names, want)
	}
	if got := Suggest("wwwdata", names); got != "www-data" {
		t.Errorf(`Suggest("wwwdata") = %q, want "www-data"`, got)
	}
	if names := namesIn(filepath.Join(t.TempDir(), "missing")); names != nil {
		t.Errorf("namesIn of a missing file = %q, want nil", names)
	}
}

// TestParseUmask covers the octal strings umask takes.
func TestParseUmask(t *testing.T) {
	good := map[string]uint32{"0": 0, "7": 7, "22": 0o22, "022": 0o22, "0027": 0o27, "777": 0o777, "0777": 0o777, " 077 ": 0o77}
	for s, want := range good {
		if got, ok := parseUmask(s); !ok || got != want {
			t.Errorf("parseUmask(%q) = %#o, %v; want %#o", s, got, ok, want)
		}
	}
	for _, s := range []string{"", " ", "8", "999", "rwx", "1777", "00777", "0o22", "-022", "u=rwx", "0x1f"} {
		if got, ok := parseUmask(s); ok {
			t.Errorf("parseUmask(%q) = %#o, want an error", s, got)
		}
	}
}
