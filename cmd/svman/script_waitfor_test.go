package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"svman/internal/proc"
	"svman/internal/testkit"
)

// cmdWaitfor waits, until testkit.Deadline, for one of:
//
//	waitfor FILE                       FILE exists
//	waitfor [-count=N] FILE REGEXP     FILE's content matches REGEXP (N times;
//	                                   -count=+N: once more than N times)
//	waitfor status [FLAGS] MODULE COND...
//	                                   svman status --json MODULE [FLAGS] shows
//	                                   every COND: FIELD=VALUE, FIELD!=VALUE
//	waitfor statusfile DIR COND...     DIR/status, the 20-byte file of
//	                                   supervise.md, shows every COND on its
//	                                   fields paused (0, 1), want (u, d, o),
//	                                   alarms (o, x) and pid
//	waitfor process PID COND...        /proc/PID/stat shows every COND on
//	                                   its fields state (R, S, T, Z...; empty
//	                                   once the process is reaped), ppid and
//	                                   alive (true, false: gone or a zombie)
//
// REGEXP is in multi-line mode, as testscript's grep. FLAGS are status's own
// (-f FILE, --status-dir DIR); without them, status reads ./supervise.hcl. On
// timeout it fails showing what it saw last.
func cmdWaitfor(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! waitfor")
	}
	if len(args) > 0 && args[0] == "status" {
		waitStatus(ts, args[1:])
		return
	}
	if len(args) > 0 && args[0] == "statusfile" {
		waitStatusFile(ts, args[1:])
		return
	}
	if len(args) > 0 && args[0] == "process" {
		waitProcess(ts, args[1:])
		return
	}
	fs := flag.NewFlagSet("waitfor", flag.ContinueOnError)
	countFlag := fs.String("count", "1", "the number of matches to wait for; +N: N+1")
	if err := fs.Parse(args); err != nil || fs.NArg() < 1 || fs.NArg() > 2 {
		ts.Fatalf("usage: waitfor FILE | waitfor [-count=N] FILE REGEXP | waitfor status [FLAGS] MODULE COND...")
	}
	n, err := strconv.Atoi(strings.TrimPrefix(*countFlag, "+"))
	if err != nil || n < 0 {
		ts.Fatalf("waitfor: -count=%s is not a count", *countFlag)
	}
	if strings.HasPrefix(*countFlag, "+") {
		n++
	}
	count := &n
	path := ts.MkAbs(fs.Arg(0))
	if fs.NArg() == 1 {
		if !testkit.Poll(func() bool { _, err := os.Stat(path); return err == nil }) {
			ts.Fatalf("timed out after %v waiting for %s to exist", testkit.Deadline, fs.Arg(0))
		}
		return
	}
	re, err := regexp.Compile("(?m)" + fs.Arg(1))
	ts.Check(err)
	var seen []byte
	if testkit.Poll(func() bool {
		seen, _ = os.ReadFile(path)
		return len(re.FindAllIndex(seen, *count)) >= *count
	}) {
		return
	}
	ts.Fatalf("timed out after %v waiting for %d match(es) of %q in %s, which holds:\n%s",
		testkit.Deadline, *count, fs.Arg(1), fs.Arg(0), tail(seen))
}

// tail is the end of a file's content, as much of it as a failure should show.
func tail(b []byte) string {
	const most = 4096
	if len(b) > most {
		return "..." + string(b[len(b)-most:])
	}
	return string(b)
}

// waitStatus is `waitfor status`.
func waitStatus(ts *testscript.TestScript, args []string) {
	flags, module, conds := statusArgs(ts, args)
	if len(conds) == 0 {
		ts.Fatalf("usage: waitfor status [FLAGS] MODULE COND...")
	}
	var row map[string]any
	var problem string
	if testkit.Poll(func() bool {
		row, problem = moduleRow(ts, flags, module)
		return problem == "" && holds(ts, conds, row)
	}) {
		return
	}
	if problem == "" {
		b, _ := json.Marshal(row)
		problem = "status shows " + string(b)
	}
	ts.Fatalf("timed out after %v waiting for %s to show %s: %s", testkit.Deadline, module, strings.Join(conds, " "), problem)
}

// holds reports whether row shows every condition, FIELD=VALUE or FIELD!=VALUE.
func holds(ts *testscript.TestScript, conds []string, row map[string]any) bool {
	for _, c := range conds {
		field, want, ok := strings.Cut(c, "=")
		if !ok {
			ts.Fatalf("condition %q is not FIELD=VALUE or FIELD!=VALUE", c)
		}
		field, differ := strings.CutSuffix(field, "!")
		if got := fieldText(row[field]); (got == want) == differ {
			return false
		}
	}
	return true
}

// waitStatusFile is `waitfor statusfile`. It reads the file as a legacy script
// does, by the layout of supervise.md, not through svman's own reader.
func waitStatusFile(ts *testscript.TestScript, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: waitfor statusfile DIR COND...")
	}
	path := ts.MkAbs(filepath.Join(args[0], "status"))
	var row map[string]any
	var problem string
	if testkit.Poll(func() bool {
		row, problem = statusFileFields(path)
		return problem == "" && holds(ts, args[1:], row)
	}) {
		return
	}
	if problem == "" {
		problem = fmt.Sprintf("it shows %v", row)
	}
	ts.Fatalf("timed out after %v waiting for %s to show %s: %s", testkit.Deadline, path, strings.Join(args[1:], " "), problem)
}

// waitProcess is `waitfor process`.
func waitProcess(ts *testscript.TestScript, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: waitfor process PID COND...")
	}
	var row map[string]any
	if testkit.Poll(func() bool {
		row = procFields(args[0])
		return holds(ts, args[1:], row)
	}) {
		return
	}
	ts.Fatalf("timed out after %v waiting for process %s to show %s: it shows %v", testkit.Deadline, args[0], strings.Join(args[1:], " "), row)
}

// procFields are the state and ppid of process pid, empty once it is reaped,
// and whether it is alive (a zombie is not).
func procFields(pid string) map[string]any {
	n, _ := strconv.Atoi(pid)
	st, err := proc.ReadStat(n)
	if err != nil {
		return map[string]any{"state": "", "ppid": "", "alive": "false"}
	}
	return map[string]any{"state": string(st.State), "ppid": strconv.Itoa(st.PPID), "alive": strconv.FormatBool(proc.Alive(n))}
}

// statusFileFields are the fields of a 20-byte status file, or why there are none.
func statusFileFields(path string) (map[string]any, string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err.Error()
	}
	if len(b) != 20 {
		return nil, fmt.Sprintf("it has %d bytes, not 20", len(b))
	}
	want := string(b[13])
	if b[13] == 0 {
		want = "o"
	}
	return map[string]any{
		"paused": strconv.Itoa(int(b[12])),
		"want":   want,
		"alarms": string(b[14]),
		"pid":    strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[16:])), 10),
	}, ""
}

// statusArgs splits [FLAGS] MODULE REST... into status's flags (the manifest in
// the script's directory by default), the module and the rest.
func statusArgs(ts *testscript.TestScript, args []string) (flags []string, module string, rest []string) {
	for len(args) >= 2 && strings.HasPrefix(args[0], "-") {
		flags, args = append(flags, args[0], ts.MkAbs(args[1])), args[2:]
	}
	if len(flags) == 0 {
		flags = []string{"-f", ts.MkAbs("supervise.hcl")}
	}
	if len(args) == 0 {
		ts.Fatalf("no module named")
	}
	return flags, args[0], args[1:]
}

// moduleRow is the module's row of `svman status --json`, or why there is none.
func moduleRow(ts *testscript.TestScript, flags []string, module string) (map[string]any, string) {
	var stdout, stderr bytes.Buffer
	args := append(append([]string{"status", "--json"}, flags...), module)
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		return nil, fmt.Sprintf("svman %s exited %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	var rows []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &rows); err != nil || len(rows) != 1 {
		return nil, fmt.Sprintf("svman status --json printed %q (%v)", stdout.String(), err)
	}
	return rows[0], ""
}

// fieldText is a JSON value as a script writes it: 12 for a number, true, text.
func fieldText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}
