package alarm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// Runner starts argv with env (added to svman's own environment) in dir and returns
// when it has exited, or kills it when ctx is done. A non-zero exit is an error.
//
// svman's engine provides one built on its process reaper, because nothing in svman
// may use os/exec's Wait: svman reaps every child itself. ExecRunner is the os/exec
// one, for tests and for programs that do not reap.
type Runner func(ctx context.Context, argv, env []string, dir string) error

// ExecRunner is a Runner built on os/exec. The hook runs in a process group of its
// own, and when ctx is done the whole group is killed, so a shell script's children
// do not outlive the timeout. Its standard input, output and error are /dev/null.
func ExecRunner(ctx context.Context, argv, env []string, dir string) error {
	if len(argv) == 0 {
		return errors.New("empty command")
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd.Run()
}

// runHook runs the exec hook of one alarm with the facts in its environment.
func runHook(ctx context.Context, run Runner, argv []string, dir string, f Facts) error {
	if err := run(ctx, argv, Env(f), dir); err != nil {
		return fmt.Errorf("%s: %w", argv[0], err)
	}
	return nil
}
