package main

import (
	"os/exec"
	"path/filepath"
)

// s6Peer is s6-svscan with one s6-supervise per service, each started by a `run`
// shell script.
type s6Peer struct{}

func (s6Peer) name() string { return "s6" }

func (s6Peer) setup(env *benchEnv) (string, error) {
	return debVersion(env, "s6", "usr/bin/s6-svscan")
}

func (s6Peer) configure(env *benchEnv, dir string, mods []module) (*launch, error) {
	svc := filepath.Join(dir, "service")
	if err := writeServices(svc, mods); err != nil {
		return nil, err
	}
	// s6-svscan runs /usr/bin/s6-supervise by its absolute path, and the package
	// is unpacked, not installed: in a private mount namespace, the unpacked
	// programs are laid over /usr/bin (an overlay seen by s6 alone, gone with it).
	// unshare and sh exec into s6-svscan, so the tool's pid is s6-svscan's.
	bin := env.bin("usr/bin")
	script := "mount -t overlay overlay -o lowerdir=" + bin + ":/usr/bin /usr/bin && exec s6-svscan -c " + itoa(2*len(mods)+10) + " " + svc
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c", script)
	cmd.Env = append(pathEnv(bin), "LD_LIBRARY_PATH="+env.bin("usr/lib/x86_64-linux-gnu"))
	// SIGTERM (the default stop) makes s6-svscan bring every service down and exit.
	return &launch{cmd: cmd}, nil
}
