package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// runitPeer is runsvdir with one runsv per service, each started by a `run`
// shell script.
type runitPeer struct{}

func (runitPeer) name() string { return "runit" }

func (runitPeer) setup(env *benchEnv) (string, error) {
	return debVersion(env, "runit", "usr/bin/runsvdir")
}

func (runitPeer) configure(env *benchEnv, dir string, mods []module) (*launch, error) {
	svc := filepath.Join(dir, "service")
	if err := writeServices(svc, mods); err != nil {
		return nil, err
	}
	cmd := exec.Command(env.bin("usr/bin/runsvdir"), "-P", svc)
	cmd.Env = pathEnv(env.bin("usr/bin"))
	return &launch{cmd: cmd, stop: func(top *os.Process) error {
		// runit's stop: each runsv takes its service down and exits ("dx"), and
		// runsvdir exits on HUP.
		if err := writeControls(svc, mods, "supervise/control", "dx"); err != nil {
			return err
		}
		return top.Signal(syscall.SIGHUP)
	}}, nil
}
