package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"svman/internal/proc"
	"svman/internal/testkit"
)

// svmanRole is the value of testkit.RoleEnv that makes the test binary svman
// itself, for the Go tests that start svman with exec.Cmd.
const svmanRole = "svman"

// TestMain makes the test binary whatever program a test runs: svman's exec
// wrapper, svman (by testkit.RoleEnv for the Go tests, by its name on PATH for
// the scripts), a role of testkit's, or logto; otherwise it runs the tests.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == proc.WrapperArg || os.Getenv(testkit.RoleEnv) == svmanRole {
		svmanMain()
	}
	testkit.RunRole()
	if name := filepath.Base(os.Args[0]); name == "svman" || name == superviseName {
		svmanMain() // before testscript.Main, which would rewrite os.Args[0]
	}
	quickRaceExit()
	commands := map[string]func(){
		"svman":       svmanMain, // run above; listed to be put on PATH
		superviseName: svmanMain, // as `ln -s svman supervise` makes it
		"logto":       logtoMain,
		"exits":       exitsMain,
	}
	for _, name := range testkit.RoleNames() {
		commands[name] = testkit.Role(name)
	}
	testscript.Main(m, commands)
}

// quickRaceExit has the processes the tests start (svman, the roles) exit at
// once under the race detector, which otherwise sleeps a second at every exit
// (GORACE's atexit_sleep_ms) for other goroutines to report: the scripts start
// svman hundreds of times. A race is still reported where it happens.
func quickRaceExit() {
	if gorace := os.Getenv("GORACE"); !strings.Contains(gorace, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(gorace+" atexit_sleep_ms=10"))
	}
}

// logtoMain is `logto FILE PROGRAM ARGS...`: it appends its stdout and stderr
// to FILE and becomes PROGRAM (same pid), as `PROGRAM >>FILE 2>&1` would. A
// script waits on FILE with waitfor while PROGRAM runs in the background.
func logtoMain() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: logto FILE PROGRAM [ARGS...]")
		os.Exit(2)
	}
	f, err := os.OpenFile(os.Args[1], os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err == nil {
		err = syscall.Dup2(int(f.Fd()), 1)
	}
	if err == nil {
		err = syscall.Dup2(int(f.Fd()), 2)
	}
	path := ""
	if err == nil {
		path, err = exec.LookPath(os.Args[2])
	}
	if err == nil {
		err = syscall.Exec(path, os.Args[2:], os.Environ())
	}
	fmt.Fprintf(os.Stderr, "logto: %v\n", err)
	os.Exit(1)
}

// exitsMain is `exits N PROGRAM ARGS...`: it runs PROGRAM on its own stdin,
// stdout and stderr, and succeeds if PROGRAM exits with code N. A script says
// `exec exits 2 svman ctl web bogus` where the code is part of the contract.
func exitsMain() {
	want, err := strconv.Atoi(os.Args[min(1, len(os.Args)-1)])
	if err != nil || len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: exits N PROGRAM [ARGS...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = cmd.Run()
	if code := cmd.ProcessState.ExitCode(); cmd.ProcessState == nil || code != want {
		fmt.Fprintf(os.Stderr, "exits: %s exited %d (%v), want %d\n", os.Args[2], code, err, want)
		os.Exit(1)
	}
}

// pidAlive reports whether pid exists and is not a zombie.
func pidAlive(pid int) bool { return proc.Alive(pid) }

// hasEnv reports whether process pid runs with the variable kv ("NAME=value").
func hasEnv(pid int, kv string) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	return err == nil && strings.Contains("\x00"+string(b), "\x00"+kv+"\x00")
}
