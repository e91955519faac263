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
	var killed []string
	stopSupervisorsOf(dirs, func(pid int, d string) {
		t.Log("stopping the supervisor of " + d + " that the script left running")
	}, func(what string) { killed = append(killed, what) })
	if len(killed) > 0 {
		t.Fatal(strings.Join(killed, "; "))
	}
}

// stopSupervisorsOf ends, with TERM (which stops their modules too), every
// supervisor that still holds one of the status directories dirs, telling
// stopping of each first, and kills what does not end: a supervisor that
// outlives TERM, a module that outlives its supervisor. killed says what it
// had to kill.
func stopSupervisorsOf(dirs []string, stopping func(pid int, dir string), killed func(what string)) {
	for _, d := range dirs {
		if pid, ok := statusfs.LockHolder(d); ok {
			stopping(pid, d)
			syscall.Kill(pid, syscall.SIGTERM)
			if !testkit.Poll(func() bool { return !pidAlive(pid) }) {
				syscall.Kill(pid, syscall.SIGKILL)
				killed(fmt.Sprintf("supervisor %d of %s did not exit on SIGTERM: killed", pid, d))
			}
		}
		if st, err := statusfs.ReadStatus(d); err == nil && st.PID > 0 && pidAlive(st.PID) {
			syscall.Kill(st.PID, syscall.SIGKILL)
			killed(fmt.Sprintf("module pid %d of %s outlived its supervisor: killed", st.PID, d))
		}
	}
}
