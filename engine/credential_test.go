package engine

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"svman/internal/proc"
	"svman/internal/testkit"
	"svman/manifest"
)

// procStatusField returns a line of /proc/PID/status, such as "Uid".
func procStatusField(pid int, field string) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return ""
}

func TestUserAndGroup(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("switching users needs root")
	}
	h := newHarness(t)
	m := h.module("nobody", "", nil)
	m.Command, m.Dir, m.Env = []string{"/bin/sleep", "100000"}, "/", nil // reachable by nobody
	m.User = &manifest.Credential{Name: "nobody", ID: 65534, GID: 65534, Home: "/nonexistent"}
	m.Group = &manifest.Credential{Name: "4242", ID: 4242}
	h.apply(m)
	pid := h.waitUp("nobody")
	if uid := procStatusField(pid, "Uid"); uid != "65534 65534 65534 65534" {
		t.Errorf("Uid: %s", uid)
	}
	if gid := procStatusField(pid, "Gid"); gid != "4242 4242 4242 4242" {
		t.Errorf("Gid: %s", gid)
	}
	env, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	for _, kv := range []string{"HOME=/nonexistent", "USER=nobody", "LOGNAME=nobody"} {
		if !strings.Contains("\x00"+string(env)+"\x00", "\x00"+kv+"\x00") {
			t.Errorf("environment lacks %s", kv)
		}
	}
}

func TestUserNeedsRoot(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("as root every user is allowed; this checks the refusal for other users")
	}
	h := newHarness(t)
	m := h.module("other", "showenv", nil)
	m.User = &manifest.Credential{Name: "root", ID: 0, GID: 0, Home: "/root"}
	h.apply(m)
	testkit.WaitFor(t, "the refusal", func() bool { return h.ev.count("other", StartFailed) > 0 })
	if err := h.ev.find("other", StartFailed)[0].Err.Error(); !strings.Contains(err, `running as user "root" needs svman to run as root`) {
		t.Errorf("error = %s", err)
	}
}

func TestUmaskAndEnvClear(t *testing.T) {
	h := newHarness(t)
	mask := uint32(0o027)
	m := h.shModule("masked", "umask > umask.out; env > env.out; exec sleep 100000")
	m.Umask = &mask
	m.EnvClear = true
	m.Env = map[string]string{"ONLY": "this"}
	h.apply(m)
	h.waitUp("masked")
	var umask, env []byte
	testkit.WaitFor(t, "the child's report", func() bool {
		umask, _ = os.ReadFile(filepath.Join(h.status, "umask.out"))
		env, _ = os.ReadFile(filepath.Join(h.status, "env.out"))
		return len(umask) > 0 && strings.Contains(string(env), "ONLY=")
	})
	if strings.TrimSpace(string(umask)) != "0027" {
		t.Errorf("umask = %q, want 0027", umask)
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(string(env)), "\n") {
		k, _, _ := strings.Cut(line, "=")
		names = append(names, k)
	}
	// sh itself adds PWD (and, in some shells, SHLVL and _).
	got := strings.Join(names, " ")
	for _, want := range []string{"ONLY", "PATH", proc.EnvModule, proc.EnvStatusDir} {
		if !strings.Contains(" "+got+" ", " "+want+" ") {
			t.Errorf("environment %q lacks %s", got, want)
		}
	}
	if strings.Contains(string(env), "HOME=") || strings.Contains(string(env), testkit.RoleEnv) {
		t.Errorf("env_clear leaked svman's environment: %s", env)
	}
}
