package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// goToolVersion checks that install-peers.sh built a Go tool and returns the
// version it was built at.
func goToolVersion(env *benchEnv, name string) (string, error) {
	if _, err := os.Stat(env.bin("bin", name)); err != nil {
		return "", fmt.Errorf("not installed (bin/%s missing; `make bench` runs bench/install-peers.sh)", name)
	}
	return env.versions[name], nil
}

// goremanPeer is goreman, foreman's Go port: a Procfile, output on stdout. It does
// not restart what dies.
type goremanPeer struct{}

func (goremanPeer) name() string { return "goreman" }

func (goremanPeer) setup(env *benchEnv) (string, error) {
	return goToolVersion(env, "goreman")
}

func (goremanPeer) configure(env *benchEnv, dir string, mods []module) (*launch, error) {
	var b strings.Builder
	for _, m := range mods {
		fmt.Fprintf(&b, "%s: %s\n", m.name, strings.Join(m.argv, " "))
	}
	procfile := filepath.Join(dir, "Procfile")
	if err := writeFile(procfile, b.String(), 0o644); err != nil {
		return nil, err
	}
	// No RPC server (it would listen on every interface) and no PORT variables.
	cmd := exec.Command(env.bin("bin/goreman"), "-f", procfile, "-rpc-server=false", "-set-ports=false", "start")
	return &launch{cmd: cmd, noRestart: true}, nil
}
