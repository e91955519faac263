package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// svmanPeer is svman itself: one process, one manifest.
type svmanPeer struct {
	// console: where the module output is measured; "" for the log files.
	console consoleSink
	// before: the binary is env.before (-before), not env.svman.
	before bool
}

// consoleSink is where svman's console goes when its output is measured there.
type consoleSink string

const (
	consoleStdout consoleSink = "console"        // a pipe the harness reads
	consoleFile   consoleSink = "console > file" // a regular file: svman up > file
	consoleCat    consoleSink = "console to cat" // a pipe a cat copies to a file: svman up | cat > file
)

// consoleOut is the file of consoleFile and consoleCat, in the run's folder.
const consoleOut = "console.out"

func (p svmanPeer) name() string {
	switch {
	case p.before:
		return "svman (before)"
	case p.console != "":
		return "svman (" + string(p.console) + ")"
	}
	return "svman"
}

// binary is the svman program this peer runs.
func (p svmanPeer) binary(env *benchEnv) string {
	if p.before {
		return env.before
	}
	return env.svman
}

func (p svmanPeer) setup(env *benchEnv) (string, error) {
	out, err := exec.Command(p.binary(env), "version").Output()
	if err != nil {
		return "", fmt.Errorf("%s version: %w", p.binary(env), err)
	}
	return strings.TrimSpace(string(out)), nil
}

func (p svmanPeer) configure(env *benchEnv, dir string, mods []module) (*launch, error) {
	manifest := filepath.Join(dir, "supervise.hcl")
	if err := writeManifest(manifest, mods); err != nil {
		return nil, err
	}
	l := &launch{
		cmd:    exec.Command(p.binary(env), "up", "-f", manifest, "--color", "never"),
		update: func(mods []module) error { return writeManifest(manifest, mods) },
	}
	if env.notifySocket != "" {
		l.cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+env.notifySocket)
	}
	// The console into a file, directly or through a cat, is read back from that
	// file as the log files are: the shell only sets the redirection up.
	out := filepath.Join(dir, consoleOut)
	switch p.console {
	case "":
		l.logFiles = filepath.Join(dir, "status", "*", "__stdout")
	case consoleFile:
		l.cmd = exec.Command("/bin/sh", "-c", `exec "$1" up -f "$2" --color never > "$3"`, "sh", p.binary(env), manifest, out)
		l.logFiles = out
	case consoleCat:
		l.cmd = exec.Command("/bin/sh", "-c", `"$1" up -f "$2" --color never | cat > "$3"`, "sh", p.binary(env), manifest, out)
		l.logFiles = out
	}
	return l, nil
}

// writeManifest saves the manifest as editors do: a new file renamed over the old.
func writeManifest(path string, mods []module) error {
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(manifestText(mods)), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// manifestText is svman's manifest for mods: a dependency on the module before
// is on its being ready, readiness and health are tcp probes with svman's
// defaults but for the health interval.
func manifestText(mods []module) string {
	var b strings.Builder
	b.WriteString("status_dir = \"./status\"\n")
	for _, m := range mods {
		fmt.Fprintf(&b, "module %q {\n  command = [", m.name)
		for i, a := range m.argv {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", a)
		}
		b.WriteString("]\n")
		if m.after != "" {
			fmt.Fprintf(&b, "  depends_on = { %s = \"ready\" }\n", m.after)
		}
		if m.readyTCP != "" {
			fmt.Fprintf(&b, "  ready {\n    tcp = %q\n  }\n", m.readyTCP)
		}
		if m.healthTCP != "" {
			fmt.Fprintf(&b, "  health {\n    tcp      = %q\n    interval = %q\n  }\n", m.healthTCP, m.healthEvery.String())
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// readyState reads the module's state.json, where svman says whether it is
// ready.
func (svmanPeer) readyState(_ *benchEnv, dir, name string) (bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, "status", name, "state.json"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	var st struct {
		Ready bool `json:"ready"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return false, nil // caught between two writes: asked again
	}
	return st.Ready, nil
}

func (svmanPeer) probeNote() string {
	return "svman: `depends_on = { PREVIOUS = \"ready\" }`, `ready { tcp = ... }` and `health { tcp = ... }` with its defaults (a ready probe at once, then backing off from 1 ms, growing by a quarter each time)"
}
