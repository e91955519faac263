package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"svman/internal/proc"
	"svman/manifest"
)

var runCommand = &command{
	name:    "run",
	args:    "MODULE [-- COMMAND ARGS...]",
	summary: "run a command once in a module's environment, in the foreground",
	help: `Runs COMMAND once, in the foreground, set up as the module's child is: with
the module's environment (svman's own, or an empty one with env_clear, then the
module's env files and env), its dir, user and group, umask and limits. COMMAND
is looked up in that environment's PATH; without it, the module's own command
runs. MODULE is a module's name, an instance's (web.1), or the name of a module
block with instances, for its instance 0.

svman sets the process up, then becomes COMMAND (exec: same pid), so COMMAND is
the terminal's foreground process: it reads stdin and writes stdout and stderr
directly, and every signal (Ctrl-C, Ctrl-Z, a kill of the pid) reaches it
alone. Like a module's child, it gets no other descriptor of the caller's; nor
does it get a ready notification fd or NOTIFY_SOCKET: nothing waits for it.

It is not supervised: it does not touch the module's status directory, and its
environment has neither SVMAN_MODULE nor SVMAN_STATUS_DIR, by which svman knows
a module's processes, so it runs beside the supervised module, whether svman up
runs or not, and is never taken for one of its leftovers. Nor does it get
svman's secrets (the SMTP password) or the variables of svman's own service
manager (NOTIFY_SOCKET, WATCHDOG_*, LISTEN_*).

Exits as COMMAND does (a shell shows a COMMAND killed by signal N as 128+N);
127 when COMMAND is not found, 126 when it cannot be executed; 1 when it cannot
be set up (unknown module, a user or group to switch to without root, a working
directory missing or that the user cannot enter); 2 when the command line is
wrong.`,
	flags: func(fs *flag.FlagSet) { manifestFlag(fs) },
	run:   runRun,
}

// runRun is svman run. When it succeeds it does not return: the process has
// become the command (proc.Exec). Its stdout is unused: the command writes to
// the process's own descriptors.
func runRun(_ context.Context, c *command, args []string, _, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	file := manifestFlag(fs)
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	name, argv, err := splitRunArgs(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "svman run: %v\n", err)
		return exitUsage
	}
	m, ok := loadManifest(*file, stderr, false)
	if !ok {
		return exitFailure
	}
	mod, err := runModule(m, name)
	if err != nil {
		fmt.Fprintf(stderr, "svman run: %v\n", err)
		return exitFailure
	}
	if argv == nil {
		argv = mod.Command
	}
	// svman becomes the command (exec in place) rather than forking it and
	// waiting: the command is then the very process the caller started, so its
	// terminal, job control (Ctrl-C, Ctrl-Z), every signal sent to its pid and
	// its exit, a death by signal included, are the command's by construction,
	// with no forwarding to get wrong. What must hold from its first
	// instruction (user and group, directory, limits, umask) proc.Exec sets up
	// before the exec; a failure there is exit 1, never a 126 or 127 that the
	// command itself could have caused.
	err = proc.Exec(proc.Spec{
		Dir:    mod.Dir,
		Argv:   argv,
		Env:    unmarked(proc.ModuleEnv(mod, os.Environ(), proc.Secrets(m), nil, nil)),
		Limits: mod.Limits,
		Umask:  mod.Umask,
		User:   mod.User,
		Group:  mod.Group,
	})
	fmt.Fprintf(stderr, "svman run: %s: %v\n", mod.Name, err)
	var ee *proc.ExecError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return exitFailure
}

// splitRunArgs splits svman run's arguments after the flags into the module's
// name and the command after "--" (nil when there is none).
func splitRunArgs(args []string) (name string, argv []string, err error) {
	switch {
	case len(args) == 0:
		return "", nil, errors.New("name the module to run as: svman run MODULE [-- COMMAND ARG...]")
	case len(args) == 1:
		return args[0], nil, nil
	case args[1] != "--":
		return "", nil, fmt.Errorf("unexpected argument %q after the module: flags go before it, the command after -- (svman run %s -- %s)",
			args[1], args[0], strings.Join(args[1:], " "))
	case len(args) == 2:
		return "", nil, errors.New("no command after --")
	}
	return args[0], args[2:], nil
}

// runModule is the module of m that svman run runs as name: the module of that
// name, or instance 0 of the module block of that name. An unknown name, or a
// block whose instances are 0, is an error that says what there is.
func runModule(m *manifest.Manifest, name string) (*manifest.Module, error) {
	if mod := moduleOf(m, name); mod != nil {
		return mod, nil
	}
	if _, ok := m.Instances[name]; ok {
		for i := range m.Modules {
			if m.Modules[i].InstanceOf == name {
				return &m.Modules[i], nil
			}
		}
		return nil, fmt.Errorf("module %q has instances = 0: it has no instance to run as (give it one, or svman scale %s=1)", name, name)
	}
	return nil, unknownModule(m, name)
}

// unmarked is env without the variables that mark a process as a module's
// (proc.EnvModule, proc.EnvStatusDir), whoever set them: svman run's command
// belongs to no module.
func unmarked(env []string) []string {
	return slices.DeleteFunc(env, func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return k == proc.EnvModule || k == proc.EnvStatusDir
	})
}
