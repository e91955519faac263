package systemd

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The helpers here have systemd itself read the units back: systemd-analyze
// verify (unknown keys, programs that are not there, bad values), and the
// service manager in --test mode, which loads units, starts nothing, and
// dumps every setting as it parsed it.

// unitDir makes a directory every user may read, for units that systemd
// run as nobody reads (it refuses --test as root).
func unitDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "svman-units-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeUnit writes a unit file into dir.
func writeUnit(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// verify runs systemd-analyze verify over paths, all at once (so that the
// units see each other), for the user's manager with user, and fails the
// test unless it exits 0 and says nothing.
func verify(t *testing.T, user bool, paths ...string) {
	t.Helper()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("needs systemd-analyze (systemd) to check the units")
	}
	args := []string{"verify"}
	cmd := exec.Command(analyze)
	if user {
		args = []string{"--user", "verify"}
		runtime := t.TempDir() // the user's manager needs a runtime directory
		cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+runtime)
	}
	cmd.Args = append(append(cmd.Args, args...), paths...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if err != nil || stdout.Len() > 0 || stderr.Len() > 0 {
		t.Errorf("%s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(cmd.Args, " "), err, &stdout, &stderr)
	}
}

// systemdBinary is the service manager's binary, or "".
func systemdBinary() string {
	for _, p := range []string{"/lib/systemd/systemd", "/usr/lib/systemd/systemd"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// systemdDump has systemd load the units of dir in --test mode and returns
// its dump of unit name: every setting as systemd read it. What systemd
// said about the unit's file while loading it fails the test.
func systemdDump(t *testing.T, dir, name string) string {
	t.Helper()
	bin := systemdBinary()
	if bin == "" {
		t.Skip("needs systemd's service manager (systemd --test) to read units back")
	}
	args := []string{"--test", "--system", "--unit=" + name, "--no-pager"}
	cmd := exec.Command(bin, args...)
	if os.Geteuid() == 0 { // systemd --test refuses to run as root
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("needs setpriv (util-linux) to run systemd --test as nobody")
		}
		cmd = exec.Command(setpriv, append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", bin}, args...)...)
	}
	// The trailing ":" keeps systemd's own unit directories (sysinit.target).
	cmd.Env = append(os.Environ(), "SYSTEMD_UNIT_PATH="+dir+":", "HOME=/nonexistent")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, &stderr)
	}
	if strings.Contains(stderr.String(), dir) {
		t.Errorf("systemd complained about the units:\n%s", &stderr)
	}
	start := strings.Index(stdout.String(), "\t-> Unit "+name+":\n")
	if start < 0 {
		t.Fatalf("systemd --test did not dump %s:\n%s", name, &stderr)
	}
	dump := stdout.String()[start+1:]
	if end := strings.Index(dump, "\n\t-> Unit "); end >= 0 {
		dump = dump[:end+1]
	}
	return dump
}

// dumpedCommand is the argv of the command line dumped after "-> key:", as
// the program will get it: systemd dumps each word shell-quoted (" around a
// word with a special character, \ before " \ ` $, C escapes and octal
// bytes), and expands "$$" to "$" only when it runs the command, which
// dumpedCommand does too. A "$" that would be expanded as a variable is an
// error.
func dumpedCommand(dump, key string) ([]string, error) {
	m := regexp.MustCompile(`\t-> ` + key + `:\n\t+Command Line: (.*)\n`).FindStringSubmatch(dump)
	if m == nil {
		return nil, fmt.Errorf("no %s in the dump", key)
	}
	var argv []string
	for line := m[1]; line != ""; {
		var word string
		if line[0] == '"' {
			end := 1
			for ; end < len(line) && line[end] != '"'; end++ {
				if line[end] == '\\' {
					end++
				}
			}
			if end >= len(line) {
				return nil, fmt.Errorf("unterminated quote in %q", m[1])
			}
			w, err := unshell(line[1:end])
			if err != nil {
				return nil, err
			}
			word, line = w, line[end+1:]
		} else {
			end := strings.IndexByte(line, ' ')
			if end < 0 {
				end = len(line)
			}
			word, line = line[:end], line[end:]
		}
		line = strings.TrimPrefix(line, " ")
		expanded, err := expandDollars(word)
		if err != nil {
			return nil, err
		}
		argv = append(argv, expanded)
	}
	return argv, nil
}

// unshell undoes systemd's escaping within a dumped double-quoted word.
func unshell(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch {
		case i >= len(s):
			return "", fmt.Errorf("trailing \\ in %q", s)
		case strings.IndexByte("\"\\`$", s[i]) >= 0:
			b.WriteByte(s[i])
		case strings.IndexByte("abfnrtv", s[i]) >= 0:
			b.WriteByte("\a\b\f\n\r\t\v"[strings.IndexByte("abfnrtv", s[i])])
		case i+3 <= len(s):
			n, err := strconv.ParseUint(s[i:i+3], 8, 8)
			if err != nil {
				return "", fmt.Errorf("unknown escape in %q", s)
			}
			b.WriteByte(byte(n))
			i += 2
		default:
			return "", fmt.Errorf("unknown escape in %q", s)
		}
	}
	return b.String(), nil
}

// expandDollars is what systemd makes of a word without variables when it
// runs the command: "$$" is "$". The writers double every "$", so a single
// one is an error.
func expandDollars(w string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		if w[i] != '$' {
			b.WriteByte(w[i])
			continue
		}
		if i+1 >= len(w) || w[i+1] != '$' {
			return "", fmt.Errorf("%q has a \"$\" systemd would expand", w)
		}
		b.WriteByte('$')
		i++
	}
	return b.String(), nil
}
