package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// supervisordPeer is supervisord from Debian's package, run by the system's
// python3 with the unpacked package on PYTHONPATH. Each module's output goes to
// its own log file, as supervisord is used.
type supervisordPeer struct{}

func (supervisordPeer) name() string { return "supervisord" }

func (supervisordPeer) setup(env *benchEnv) (string, error) {
	if _, err := exec.LookPath("python3"); err != nil {
		return "", fmt.Errorf("python3 not found")
	}
	return debVersion(env, "supervisor", "usr/bin/supervisord")
}

func (supervisordPeer) configure(env *benchEnv, dir string, mods []module) (*launch, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "[supervisord]\nnodaemon=true\nlogfile=%s\npidfile=%s\nloglevel=warn\nminfds=%d\nminprocs=%d\n",
		filepath.Join(dir, "supervisord.log"), filepath.Join(dir, "supervisord.pid"), 8*len(mods)+64, 2*len(mods)+64)
	logs := filepath.Join(dir, "logs")
	for _, m := range mods {
		fmt.Fprintf(&b, "\n[program:%s]\ncommand=%s\nautorestart=true\nstartsecs=0\nredirect_stderr=true\nstdout_logfile=%s\nstdout_logfile_maxbytes=0\n",
			m.name, strings.Join(m.argv, " "), filepath.Join(logs, m.name+".log"))
	}
	conf := filepath.Join(dir, "supervisord.conf")
	if err := writeFile(conf, b.String(), 0o644); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(logs, ".keep"), "", 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command("python3", env.bin("usr/bin/supervisord"), "-n", "-c", conf)
	cmd.Env = append(pathEnv(env.bin("usr/bin")), "PYTHONPATH="+env.bin("usr/lib/python3/dist-packages"))
	// SIGTERM stops every program, then supervisord.
	return &launch{cmd: cmd, logFiles: filepath.Join(logs, "*.log")}, nil
}
