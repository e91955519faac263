package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
)

// forkLoopName is the restart figures' baseline row.
const forkLoopName = "fork+exec+wait loop (Go)"

// forkLoopPeer is no supervisor but the least one written in Go can do: this
// harness's binary, run as `bench forkloop MODULES.json`, forks and execs each
// module and forks it again the moment wait4 returns its exit. The restart
// figures measure it as they measure every tool, so svman's ratio to it is what
// svman adds between a child's death and its replacement's exec.
type forkLoopPeer struct{}

func (forkLoopPeer) name() string { return forkLoopName }

func (forkLoopPeer) setup(env *benchEnv) (string, error) {
	return "the harness's own binary as `bench forkloop`, built with " + runtime.Version(), nil
}

// forkLoopNote says what the baseline row is, for the figures it appears in.
const forkLoopNote = forkLoopName + " is the baseline, not a peer: the harness's own binary (`bench forkloop`) forks and execs each module (syscall.ForkExec, its own process group, from one locked thread) and blocks in wait4(-1); the moment wait4 returns an exit it forks that module again. No signal handling, no status, no logs, no files held open: the least a supervisor written in Go does between a child's death and its replacement's exec. svman ÷ it says how far svman is from that floor."

// forkLoopStartNote and forkLoopStopNote say what the baseline row is in the
// cold start and shutdown figures.
const (
	forkLoopStartNote = forkLoopName + " is the baseline, not a peer: the harness's own binary (`bench forkloop`) resolves every module's command in PATH once, then forks and execs the 100 modules one after another from one locked thread. No manifest, no status directory, no log: the least a program written in Go does to start them, on the same two CPUs that the modules' own start-up (dynamic loading, here most of the CPU time) competes for. svman ÷ it says how far svman is from that floor; a peer's ratio to it says how far the peer is."
	forkLoopStopNote  = forkLoopName + " is the baseline, not a peer: SIGTERM kills the loop, and the kernel sends each module the SIGTERM its fork asked for as the loop's thread dies (parent-death signal). Nothing is written, nothing waits: the floor of a stop of 100 modules."
)

func (forkLoopPeer) configure(env *benchEnv, dir string, mods []module) (*launch, error) {
	argvs := make([][]string, len(mods))
	for i, m := range mods {
		argvs[i] = m.argv
	}
	b, err := json.Marshal(argvs)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "modules.json")
	if err := writeFile(path, string(b), 0o644); err != nil {
		return nil, err
	}
	// SIGTERM, the default stop, kills the loop (it handles no signal); the
	// kernel then sends each module the death signal its fork asked for.
	return &launch{cmd: exec.Command(env.self, "forkloop", path)}, nil
}

// forkLoopMain is `bench forkloop MODULES.json`: MODULES.json is a JSON list of
// argv, one a module. It returns only on an error.
func forkLoopMain(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: bench forkloop MODULES.json")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	var argvs [][]string
	if err := json.Unmarshal(b, &argvs); err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	paths := make([]string, len(argvs))
	for i, argv := range argvs {
		if len(argv) == 0 {
			return fmt.Errorf("%s: module %d has no command", args[0], i)
		}
		if paths[i], err = exec.LookPath(argv[0]); err != nil {
			return err
		}
	}
	// A child's death signal fires when the thread that forked it exits: every
	// fork comes from this thread, which lives as long as the process.
	runtime.LockOSThread()
	attr := &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM},
	}
	module := make(map[int]int, len(argvs)) // running pid → its module
	fork := func(i int) error {
		pid, err := syscall.ForkExec(paths[i], argvs[i], attr)
		if err != nil {
			return fmt.Errorf("%s: %w", paths[i], err)
		}
		module[pid] = i
		return nil
	}
	for i := range argvs {
		if err := fork(i); err != nil {
			return err
		}
	}
	for {
		// Without WUNTRACED, wait4 returns only exits.
		pid, err := syscall.Wait4(-1, nil, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		i, ok := module[pid]
		if !ok {
			continue
		}
		delete(module, pid)
		if err := fork(i); err != nil {
			return err
		}
	}
}
