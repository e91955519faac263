package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// processComposePeer is process-compose without its TUI, its API on a unix
// socket (for `project update`), output on stdout.
type processComposePeer struct{}

func (processComposePeer) name() string { return "process-compose" }

func (processComposePeer) setup(env *benchEnv) (string, error) {
	return goToolVersion(env, "process-compose")
}

func (processComposePeer) configure(env *benchEnv, dir string, mods []module) (*launch, error) {
	conf := filepath.Join(dir, "process-compose.yaml")
	if err := writeComposeFile(conf, mods); err != nil {
		return nil, err
	}
	bin := env.bin("bin/process-compose")
	sock := filepath.Join(dir, "pc.sock")
	common := []string{"-U", "-u", sock, "-L", filepath.Join(dir, "process-compose.log")}
	cmd := exec.Command(bin, append([]string{"up", "-t=false", "-f", conf, "--disable-dotenv"}, common...)...)
	return &launch{cmd: cmd, update: func(mods []module) error {
		next := filepath.Join(dir, "process-compose.next.yaml")
		if err := writeComposeFile(next, mods); err != nil {
			return err
		}
		out, err := exec.Command(bin, append([]string{"project", "update", "-f", next}, common...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("project update: %v: %s", err, out)
		}
		return nil
	}}, nil
}

func writeComposeFile(path string, mods []module) error {
	var b strings.Builder
	b.WriteString("version: \"0.5\"\nprocesses:\n")
	for _, m := range mods {
		fmt.Fprintf(&b, "  %s:\n    command: %q\n    availability:\n      restart: always\n", m.name, strings.Join(m.argv, " "))
	}
	return writeFile(path, b.String(), 0o644)
}
