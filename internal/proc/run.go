package proc

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// Run starts argv in dir with env added to svman's environment, and returns when
// it has exited, or kills its process group when ctx is done first. It is the
// alarm package's Runner for svman, which must not use os/exec's Wait: the reaper
// collects every child. The program's output is discarded; a failure is the error.
func (r *Reaper) Run(ctx context.Context, argv, env []string, dir string) error {
	if len(argv) == 0 {
		return fmt.Errorf("empty command")
	}
	full := ChildEnv(os.Environ(), nil, EnvMap(env))
	path, err := resolveCommand(dir, argv[0], full)
	if err != nil {
		return err
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	pid, exited, err := r.Spawn(SpawnSpec{Path: path, Argv: argv, Env: full, Dir: dir, Files: [3]*os.File{null, null, null}})
	null.Close()
	if err != nil {
		return fmt.Errorf("exec %s: %w", path, err)
	}
	select {
	case st := <-exited:
		if !st.Success() {
			return fmt.Errorf("%s %s", argv[0], st)
		}
		return nil
	case <-ctx.Done():
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-exited
		return fmt.Errorf("%s killed: %w", argv[0], ctx.Err())
	}
}

// EnvMap is a KEY=VALUE list as a map; an entry without "=" is left out.
func EnvMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}
