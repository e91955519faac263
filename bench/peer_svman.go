package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// svmanPeer is svman itself: one process, one manifest.
type svmanPeer struct {
	// console: the module output is measured on svman's stdout, not in the
	// log files.
	console bool
}

func (p svmanPeer) name() string {
	if p.console {
		return "svman (console)"
	}
	return "svman"
}

func (svmanPeer) setup(env *benchEnv) (string, error) {
	out, err := exec.Command(env.svman, "version").Output()
	if err != nil {
		return "", fmt.Errorf("%s version: %w", env.svman, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func (p svmanPeer) configure(env *benchEnv, dir string, mods []module) (*launch, error) {
	manifest := filepath.Join(dir, "supervise.hcl")
	if err := writeManifest(manifest, mods); err != nil {
		return nil, err
	}
	l := &launch{
		cmd:    exec.Command(env.svman, "up", "-f", manifest, "--color", "never"),
		update: func(mods []module) error { return writeManifest(manifest, mods) },
	}
	if !p.console {
		l.logFiles = filepath.Join(dir, "status", "*", "__stdout")
	}
	return l, nil
}

// writeManifest saves the manifest as editors do: a new file renamed over the old.
func writeManifest(path string, mods []module) error {
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
		b.WriteString("]\n}\n")
	}
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
