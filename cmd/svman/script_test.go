package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"svman/internal/testkit"
	"svman/statusfs"
)

// TestScript runs the CLI's specification, testdata/script/*.txtar: each script
// runs svman as a user would, from a shell, on the files of its archive, and is
// named after the behaviour it states. Besides testscript's own commands
// (exec, kill -INT NAME, wait NAME, grep, cmp, ...) a script has:
//
//   - on PATH: svman, supervise (svman by that name), every role of
//     internal/testkit by its name (a manifest says command = ["sleeper"]),
//     `logto FILE PROGRAM ARGS...` (PROGRAM, same pid, its output appended to
//     FILE: `exec logto up.log svman up &up&`, then waitfor on up.log) and
//     `exits N PROGRAM ARGS...` (succeeds if PROGRAM exits with code N);
//   - the commands of scriptCmds: waitfor (a file, a regexp in a file, a
//     field of svman status, of the 20-byte status file or of a process, until
//     testkit.Deadline), pid, signal, alive, capture, cmdline and lacks;
//   - the condition [pid16:PID].
//
// No script sleeps: each waits with waitfor for what it needs. Supervisors a
// script leaves running are stopped when it ends.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Defer(func() { stopSupervisors(env.T(), env.WorkDir) })
			return nil
		},
		Cmds:      scriptCmds,
		Condition: scriptCondition,
	})
}

// scriptCondition knows, besides testscript's own conditions:
//
//	[pid16:PID]  PID fits in 16 bits, as the legacy `od -d` reading needs
func scriptCondition(cond string) (bool, error) {
	if pid, ok := strings.CutPrefix(cond, "pid16:"); ok {
		n, err := strconv.Atoi(pid)
		return n < 1<<16, err
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

// scriptCmds are the commands a script has besides testscript's own.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"waitfor": cmdWaitfor,
	"pid":     cmdPID,
	"signal":  cmdSignal,
	"alive":   cmdAlive,
	"capture": cmdCapture,
	"cmdline": cmdCmdline,
	"lacks":   cmdLacks,
}

// stopSupervisors ends, with TERM (which stops their modules too), every
// supervisor that still holds a status directory under work/status: a detached
// `supervise` outlives the script that started it unless the script ends it.
func stopSupervisors(t testscript.T, work string) {
	dirs, _ := filepath.Glob(filepath.Join(work, "status", "*"))
	for _, d := range dirs {
		pid, ok := statusfs.LockHolder(d)
		if !ok {
			continue
		}
		t.Log("stopping the supervisor of " + d + " that the script left running")
		syscall.Kill(pid, syscall.SIGTERM)
		if !testkit.Poll(func() bool { return !pidAlive(pid) }) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatal("the supervisor of " + d + " did not exit on SIGTERM: killed")
		}
	}
}
