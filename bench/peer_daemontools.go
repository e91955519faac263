package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// daemontoolsPeer is svscan with one supervise process per service, each
// service started by a `run` shell script, as daemontools is used.
type daemontoolsPeer struct{}

func (daemontoolsPeer) name() string { return "daemontools" }

func (daemontoolsPeer) setup(env *benchEnv) (string, error) {
	return debVersion(env, "daemontools", "usr/bin/svscan")
}

func (daemontoolsPeer) configure(env *benchEnv, dir string, mods []module) (*launch, error) {
	svc := filepath.Join(dir, "service")
	if err := writeServices(svc, mods); err != nil {
		return nil, err
	}
	cmd := exec.Command(env.bin("usr/bin/svscan"), svc)
	cmd.Env = pathEnv(env.bin("usr/bin"))
	return &launch{cmd: cmd, stop: func(top *os.Process) error {
		// svscan has no graceful stop: the documented way is to stop svscan,
		// then tell each supervise to take its service down and exit.
		if err := top.Signal(syscall.SIGTERM); err != nil {
			return err
		}
		return writeControls(svc, mods, "supervise/control", "dx")
	}}, nil
}

// writeServices makes a daemontools-style service folder per module, whose run
// script execs the module.
func writeServices(svc string, mods []module) error {
	for _, m := range mods {
		script := "#!/bin/sh\nexec " + strings.Join(m.argv, " ") + "\n"
		if err := writeFile(filepath.Join(svc, m.name, "run"), script, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// writeControls writes cmd to the control FIFO of every module's supervisor.
func writeControls(svc string, mods []module, fifo, cmd string) error {
	for _, m := range mods {
		f, err := os.OpenFile(filepath.Join(svc, m.name, fifo), os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		_, err = f.WriteString(cmd)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
	return nil
}

// pathEnv is the harness's environment with dir first in PATH, for tools that
// exec their helpers by name.
func pathEnv(dir string) []string {
	env := []string{"PATH=" + dir + ":" + os.Getenv("PATH")}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	return env
}

// debVersion checks that a Debian package's program was unpacked and returns the
// package's version, recorded by install-peers.sh.
func debVersion(env *benchEnv, pkg, program string) (string, error) {
	if _, err := os.Stat(env.bin(program)); err != nil {
		return "", fmt.Errorf("not installed (%s missing; `make bench` runs bench/install-peers.sh)", program)
	}
	if v, ok := env.versions[pkg]; ok {
		return v, nil
	}
	return "unknown", nil
}
