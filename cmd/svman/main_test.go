package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"svman/internal/proc"
)

// roleEnv selects what the test binary is when it runs as a child: svman itself
// ("svman"), or one of the helper programs the test manifests supervise. Helpers are
// the test binary, as in os/exec's own tests: real processes, no shell scripts.
const roleEnv = "SVMAN_TEST_ROLE"

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == proc.WrapperArg {
		os.Exit(proc.WrapperMain(os.Args[2:])) // svman's exec wrapper, as main does
	}
	role := os.Getenv(roleEnv)
	if role == "" {
		os.Exit(m.Run())
	}
	if role == "svman" {
		if err := closeInheritedOnExec(); err != nil { // as main does
			fmt.Fprintf(os.Stderr, "svman: cannot keep inherited descriptors from its children: %v\n", err)
		}
	}
	if role == "svman" && filepath.Base(os.Args[0]) == superviseName { // as main does
		os.Exit(runSupervise(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	if role == "svman" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	h, ok := helpers[role]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown helper role %q\n", role)
		os.Exit(2)
	}
	h()
	os.Exit(0)
}

// helpers are the programs test manifests run, by role name.
var helpers = map[string]func(){
	// sleep says it is ready, then waits to be killed.
	"sleep": func() {
		fmt.Printf("ready pid=%d\n", os.Getpid())
		select {}
	},
	// stubborn ignores SIGTERM and starts a grandchild in the same process group
	// that ignores it too: only SIGKILL to the group ends them.
	"stubborn": func() {
		signal.Ignore(syscall.SIGTERM)
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), roleEnv+"=stubborn-grandchild")
		cmd.Stdout = os.Stdout
		if err := cmd.Start(); err != nil {
			fmt.Println("grandchild failed:", err)
			os.Exit(1)
		}
		fmt.Printf("ready pid=%d grandchild=%d\n", os.Getpid(), cmd.Process.Pid)
		select {}
	},
	"stubborn-grandchild": func() {
		signal.Ignore(syscall.SIGTERM)
		// Until now its runtime's handler made SIGTERM fatal: say when it is not.
		fmt.Printf("grandchild ignores TERM, pid=%d\n", os.Getpid())
		select {}
	},
	// daemon double-forks a daemon that detaches into its own session, as
	// classic daemons do, then stays up itself.
	"daemon": func() {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), roleEnv+"=daemon-middle")
		cmd.Stdout = os.Stdout
		if err := cmd.Run(); err != nil {
			fmt.Println("middle failed:", err)
			os.Exit(1)
		}
		fmt.Printf("ready pid=%d\n", os.Getpid())
		select {}
	},
	"daemon-middle": func() {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), roleEnv+"=sleep")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			fmt.Println("daemon failed:", err)
			os.Exit(1)
		}
		fmt.Printf("daemon pid=%d\n", cmd.Process.Pid)
		os.Exit(0) // the daemon is orphaned: svman, the subreaper, inherits it
	},
	// env prints the variables named in SVMAN_TEST_PRINT, then waits.
	"env": func() {
		for _, k := range splitComma(os.Getenv("SVMAN_TEST_PRINT")) {
			fmt.Printf("%s=%s\n", k, os.Getenv(k))
		}
		select {}
	},
	// crash fails at once.
	"crash": func() {
		fmt.Fprintln(os.Stderr, "crashing")
		os.Exit(3)
	},
	// pauses writes the pieces of pausedPieces, waiting for a SIGUSR1 after each but
	// the last, then exits: lines whose writer pauses as long as the test likes.
	"pauses": func() {
		next := make(chan os.Signal, 1)
		signal.Notify(next, syscall.SIGUSR1)
		for i, piece := range pausedPieces {
			os.Stdout.WriteString(piece)
			if i < len(pausedPieces)-1 {
				<-next
			}
		}
		os.Exit(0)
	},
	// partial writes a line in pieces and a last line without newline, then exits.
	"partial": func() {
		for _, s := range []string{"hel", "lo wor", "ld\nsecond line\nno newline at the end"} {
			os.Stdout.WriteString(s)
		}
		os.Exit(0)
	},
}

func splitComma(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != ',' {
			i++
		}
		out = append(out, s[:i])
		if i == len(s) {
			break
		}
		s = s[i+1:]
	}
	return out
}

// pidAlive reports whether pid exists and is not a zombie.
func pidAlive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	st := procState(b)
	return st != 'Z' && st != 'X'
}

// hasEnv reports whether process pid runs with the variable kv ("NAME=value").
func hasEnv(pid int, kv string) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	return err == nil && strings.Contains("\x00"+string(b), "\x00"+kv+"\x00")
}

// procState is the state letter of /proc/PID/stat (R, S, T, Z, ...).
func procState(stat []byte) byte {
	for i := len(stat) - 1; i >= 0; i-- {
		if stat[i] == ')' && i+2 < len(stat) {
			return stat[i+2]
		}
	}
	return 0
}
