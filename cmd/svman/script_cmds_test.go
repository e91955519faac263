package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"
)

// cmdPID is `pid [-supervisor] [FLAGS] MODULE VAR`: it sets VAR to the pid svman
// status shows for the module (or, with -supervisor, the pid of the svman that
// supervises it), and fails if there is none.
func cmdPID(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! pid")
	}
	field := "pid"
	if len(args) > 0 && args[0] == "-supervisor" {
		field, args = "supervisor_pid", args[1:]
	}
	flags, module, rest := statusArgs(ts, args)
	if len(rest) != 1 {
		ts.Fatalf("usage: pid [-supervisor] [FLAGS] MODULE VAR")
	}
	row, problem := moduleRow(ts, flags, module)
	if problem != "" {
		ts.Fatalf("%s", problem)
	}
	pid := fieldText(row[field])
	if pid == "" || pid == "0" {
		b, _ := json.Marshal(row)
		ts.Fatalf("%s has no %s: status shows %s", module, field, b)
	}
	ts.Setenv(rest[0], pid)
}

// cmdSignal is `signal SIG PID...`: it sends signal SIG (TERM, HUP, KILL, ...)
// to each process.
func cmdSignal(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! signal")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: signal SIG PID...")
	}
	sig := unix.SignalNum("SIG" + args[0])
	if sig == 0 {
		ts.Fatalf("unknown signal %s", args[0])
	}
	for _, a := range args[1:] {
		pid, err := strconv.Atoi(a)
		if err != nil || pid <= 0 {
			ts.Fatalf("%q is not a pid", a)
		}
		ts.Check(syscall.Kill(pid, sig))
	}
}

// cmdAlive is `alive PID...`: it succeeds if every process runs (is not a
// zombie); `! alive PID...` succeeds if none does.
func cmdAlive(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: alive PID...")
	}
	for _, a := range args {
		pid, err := strconv.Atoi(a)
		if err != nil || pid <= 0 {
			ts.Fatalf("%q is not a pid", a)
		}
		if pidAlive(pid) == neg {
			if neg {
				ts.Fatalf("process %d is alive", pid)
			}
			ts.Fatalf("process %d is not alive", pid)
		}
	}
}

// cmdCapture is `capture FILE REGEXP VAR...`: it sets each VAR to a group of
// REGEXP's first match in FILE (in multi-line mode), and fails if there is none.
// `capture -count FILE REGEXP VAR` sets VAR to the number of matches, for a
// later `waitfor -count=+$VAR`.
func cmdCapture(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 4 && args[0] == "-count" {
		re, err := regexp.Compile("(?m)" + args[2])
		ts.Check(err)
		ts.Setenv(args[3], strconv.Itoa(len(re.FindAllStringIndex(ts.ReadFile(args[1]), -1))))
		return
	}
	if neg || len(args) < 3 {
		ts.Fatalf("usage: capture FILE REGEXP VAR... | capture -count FILE REGEXP VAR")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	if re.NumSubexp() < len(args)-2 {
		ts.Fatalf("%q has %d groups for %d variables", args[1], re.NumSubexp(), len(args)-2)
	}
	content := ts.ReadFile(args[0])
	m := re.FindStringSubmatch(content)
	if m == nil {
		ts.Fatalf("no match of %q in %s, which holds:\n%s", args[1], args[0], tail([]byte(content)))
	}
	for i, v := range args[2:] {
		ts.Setenv(v, m[i+1])
	}
}

// cmdCmdline is `cmdline PID ARG...`: it succeeds if process PID runs with
// exactly that command line (/proc/PID/cmdline), as ps shows it. A first ARG
// without a slash stands for the program found on PATH, which a script's exec
// runs by its full path: it matches that path's base name.
func cmdCmdline(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: cmdline PID ARG...")
	}
	b, err := os.ReadFile("/proc/" + args[0] + "/cmdline")
	ts.Check(err)
	got := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
	if !strings.Contains(args[1], "/") {
		got[0] = filepath.Base(got[0])
	}
	if !slices.Equal(got, args[1:]) {
		ts.Fatalf("process %s runs %q, want %q", args[0], got, args[1:])
	}
}

// cmdLacks is `lacks FILE REGEXP`: it succeeds if FILE does not exist or
// nothing in it matches REGEXP (in multi-line mode): a log that svman may
// create only when it has something to say.
func cmdLacks(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: lacks FILE REGEXP")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	if err != nil && !os.IsNotExist(err) {
		ts.Fatalf("%v", err)
	}
	if m := re.Find(b); m != nil {
		ts.Fatalf("%s holds %q:\n%s", args[0], m, tail(b))
	}
}
