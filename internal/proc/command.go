package proc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"svman/manifest"
)

// ServiceManagerEnv are the variables through which a service manager (systemd)
// speaks to svman itself: its notify socket, its watchdog, the sockets it passes.
// They are svman's, never a child's.
var ServiceManagerEnv = []string{
	"NOTIFY_SOCKET", "WATCHDOG_PID", "WATCHDOG_USEC", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES",
}

// ChildEnv is base with the variables of each set on top, later sets winning, as
// a sorted KEY=VALUE list with one entry per key. A variable of base whose value is
// one of secrets (svman's SMTP password, say) is left out: svman never hands its
// own secrets to a child, whatever variable carried them. So are the
// ServiceManagerEnv variables of base, which are svman's own; a set may still
// give them to the child (a module's own notify socket).
func ChildEnv(base []string, secrets []string, sets ...map[string]string) []string {
	env := make(map[string]string, len(base))
	for _, kv := range base {
		k, v, ok := strings.Cut(kv, "=")
		if ok && !(v != "" && slices.Contains(secrets, v)) && !slices.Contains(ServiceManagerEnv, k) {
			env[k] = v
		}
	}
	for _, set := range sets {
		for k, v := range set {
			env[k] = v
		}
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// ModuleEnv is the environment of a process of module m, given svman's own
// environment environ and secrets, in rising precedence: environ without
// secrets and ServiceManagerEnv (as ChildEnv has it), or nothing but a PATH with
// env_clear; the user's HOME, USER and LOGNAME when m runs as another user;
// extra; m's env; mark. Each of extra and mark may be nil.
func ModuleEnv(m *manifest.Module, environ, secrets []string, extra, mark map[string]string) []string {
	base := environ
	if m.EnvClear {
		base = []string{"PATH=" + manifest.DefaultPath}
	}
	var user map[string]string
	if u := m.User; u != nil {
		user = map[string]string{"HOME": u.Home, "USER": u.Name, "LOGNAME": u.Name}
	}
	return ChildEnv(base, secrets, user, extra, m.Env, mark)
}

// ProcessEnv is the environment of a process svman starts for module m, whose
// status directory is dir: ModuleEnv over svman's own environment, with extra
// (nil for none), marked as m's by EnvModule and EnvStatusDir. svman up gives
// it to m's child, its on_exit command and its exec probes, svman probe to
// the exec probes it runs, so a probe sees what the child sees.
func ProcessEnv(m *manifest.Module, dir string, secrets []string, extra map[string]string) []string {
	mark := map[string]string{EnvModule: m.Name, EnvStatusDir: dir}
	return ModuleEnv(m, os.Environ(), secrets, extra, mark)
}

// Secrets are the values of m that no child may see, for ChildEnv and ModuleEnv:
// the SMTP password.
func Secrets(m *manifest.Manifest) []string {
	if m.SMTP.Password == "" {
		return nil
	}
	return []string{m.SMTP.Password}
}

// ErrCommandNotFound is the error, wrapped with the name, of a program name
// without a "/" that no directory of the PATH holds.
var ErrCommandNotFound = errors.New("command not found in PATH")

// resolveCommand finds the program a module runs, as execvp would but with the
// child's own PATH and relative to the child's own directory, so that the error
// can say exactly what is missing before anything is forked.
func resolveCommand(dir, name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		path := name
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		return path, checkExecutable(path)
	}
	pathVar := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathVar = v
		}
	}
	var firstErr error
	for _, d := range filepath.SplitList(pathVar) {
		if d == "" {
			d = "."
		}
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		path := filepath.Join(d, name)
		err := checkExecutable(path)
		if err == nil {
			return path, nil
		}
		if firstErr == nil && !errors.Is(err, fs.ErrNotExist) {
			firstErr = err
		}
	}
	if firstErr != nil {
		return "", firstErr
	}
	return "", fmt.Errorf("%s: %w", name, ErrCommandNotFound)
}

func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, errors.Unwrap(err)) // "stat" says nothing to the user
	}
	if fi.IsDir() {
		return fmt.Errorf("%s: is a directory", path)
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s: permission denied (not executable)", path)
	}
	return nil
}
