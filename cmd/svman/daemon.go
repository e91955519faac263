package main

import (
	"os"
	"os/exec"
	"syscall"
)

// detachedEnv marks the copy of `svman supervise` that detach starts: it is the
// supervisor, attached to nothing. The mark is an environment variable rather
// than an argument so that ps shows the command line the operator typed, as
// with the legacy tool; the copy removes it before it starts the module.
const detachedEnv = "SVMAN_SUPERVISE_DETACHED"

// detach does what daemon(1,0) does for the legacy supervise, for a Go program
// that cannot fork: it starts svman's own binary again with argv (argv[0] as
// given, so a `supervise` symlink keeps its name) in a new session, with stdin,
// stdout and stderr on /dev/null and the same working directory, and lets it
// go. The caller then exits; the copy is re-parented to init (or a subreaper).
func detach(argv []string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := &exec.Cmd{
		Path:        exe,
		Args:        argv,
		Env:         append(os.Environ(), detachedEnv+"=1"),
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
		// Stdin, Stdout and Stderr nil: /dev/null. Dir "": this one.
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}
