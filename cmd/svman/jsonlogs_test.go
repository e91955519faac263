package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/logfiles"
	"svman/logmux"
)

// ndjson decodes every line of s, each of which must be one JSON object.
func ndjson(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q is not a JSON object: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// find returns the objects for which match is true.
func find(objs []map[string]any, match func(map[string]any) bool) []map[string]any {
	var out []map[string]any
	for _, o := range objs {
		if match(o) {
			out = append(out, o)
		}
	}
	return out
}

func event(module, name string) func(map[string]any) bool {
	return func(o map[string]any) bool { return o["module"] == module && o["event"] == name }
}

// jsonPID is a JSON number as a pid.
func jsonPID(v any) int {
	f, _ := v.(float64)
	return int(f)
}

// A module that writes a text line, a line that is not UTF-8, a JSON object and
// a line to stderr, then exits 3, and restarts.
const jsonModule = `module "web" {
  command = ["/bin/sh", "-c", "echo hello; printf '\\377bad\\n'; echo '{\"level\":\"info\",\"pid\":1}'; echo oops >&2; exit 3"]
  restart { delay = "10ms" }
  log {
    format = "json"
    parse  = "json"
  }
}
`

func TestUpJSON(t *testing.T) {
	p := newProject(t, jsonModule)
	out, errOut := &syncBuffer{}, &syncBuffer{}
	s := p.startCmd(out, func(cmd *exec.Cmd) { cmd.Stdout, cmd.Stderr = out, errOut }, nil, "up", "--json", "-f", p.manifestPath())
	var objs []map[string]any
	testkit.WaitFor(t, "two starts of web and an exit", func() bool {
		objs = ndjson(t, out.String())
		return len(find(objs, event("web", "started"))) >= 2 || s.exited()
	})
	if code := s.stop(); code != exitOK {
		t.Fatalf("svman up --json exited %d; stderr:\n%s", code, errOut)
	}
	objs = ndjson(t, out.String())
	for _, o := range objs {
		ts, _ := o["ts"].(string)
		if _, err := time.Parse(time.RFC3339Nano, ts); err != nil || !strings.HasSuffix(ts, "Z") || len(ts) != 30 {
			t.Errorf("ts %q of %v: not RFC 3339 with nanoseconds in UTC", ts, o)
		}
	}
	if sup := find(objs, event("svman", "supervising")); len(sup) != 1 || sup[0]["modules"] != 1.0 || sup[0]["manifest"] != p.manifestPath() {
		t.Errorf("svman's supervising event: %v", sup)
	}
	if shut := find(objs, event("svman", "shutdown")); len(shut) != 1 || shut[0]["signal"] != "SIGTERM" {
		t.Errorf("svman's shutdown event: %v", shut)
	}
	started := find(objs, event("web", "started"))
	pid := jsonPID(started[0]["pid"])
	if pid == 0 || started[0]["msg"] != fmt.Sprintf("web started, pid %d", pid) {
		t.Fatalf("started event %v", started[0])
	}
	lines := find(objs, func(o map[string]any) bool {
		return o["module"] == "web" && o["event"] == nil && jsonPID(o["pid"]) == pid
	})
	want := []string{"stdout line hello", "stdout line_b64 /2JhZA==", "stdout json map[level:info pid:1]", "stderr line oops"}
	var got []string
	for _, o := range lines {
		for _, k := range []string{"line", "line_b64", "json"} {
			if v, ok := o[k]; ok {
				got = append(got, fmt.Sprintf("%s %s %v", o["stream"], k, v))
			}
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Errorf("the lines of pid %d:\n%s\nwant (in any order of the streams):\n%s", pid, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	exited := find(objs, event("web", "exited"))
	if len(exited) == 0 || jsonPID(exited[0]["pid"]) != pid || exited[0]["code"] != 3.0 || exited[0]["signal"] != nil || exited[0]["stopping"] != false {
		t.Errorf("exited event %v, want pid %d, code 3, no signal", exited, pid)
	}
	restarting := find(objs, event("web", "restarting"))
	if len(restarting) == 0 || restarting[0]["delay_s"] == nil || !strings.HasPrefix(restarting[0]["msg"].(string), "web restarting") {
		t.Errorf("restarting event %v", restarting)
	}
	if errOut.String() != "" {
		t.Errorf("svman up --json wrote to stderr:\n%s", errOut)
	}

	// The log file holds the same lines as records, the JSON object nested.
	data, err := os.ReadFile(filepath.Join(p.statusDir("web"), "__stdout"))
	if err != nil {
		t.Fatal(err)
	}
	recs := ndjson(t, string(data))
	first := find(recs, func(o map[string]any) bool { return jsonPID(o["pid"]) == pid })
	if len(first) != 3 {
		t.Fatalf("records of pid %d in __stdout: %v", pid, first)
	}
	b64, _ := base64.StdEncoding.DecodeString(first[1]["line_b64"].(string))
	obj, _ := first[2]["json"].(map[string]any)
	if first[0]["line"] != "hello" || string(b64) != "\xffbad" || obj["level"] != "info" || obj["pid"] != 1.0 {
		t.Errorf("records of pid %d: %v", pid, first)
	}
	for _, o := range first {
		if o["module"] != "web" || o["stream"] != "stdout" || o["ts"] == nil {
			t.Errorf("record %v", o)
		}
	}
}

func TestJSONFlagConflicts(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper"))
	for _, args := range [][]string{
		{"up", "--json", "--raw", "--only", "web"},
		{"up", "--json", "--no-timestamps"},
		{"up", "--json", "--color=always"},
		{"logs", "--json", "--color=always"},
	} {
		code, _, stderr := p.runArgs(append(args, "-f", p.manifestPath())...)
		if code != exitUsage || !strings.Contains(stderr, "contradict") {
			t.Errorf("svman %s: exit %d, %q; want a usage error", strings.Join(args, " "), code, stderr)
		}
	}
}

// The same lines in a text log file and in a JSON one give the same NDJSON.
func TestLogsJSONSameFromTextAndJSON(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 15, 4, 5, 123e6, time.Local)
	type line struct {
		at   time.Duration
		s    logmux.Stream
		text string
	}
	lines := []line{
		{0, logmux.Stdout, "plain"},
		{time.Millisecond, logmux.Stderr, "tab\there \"quoted\" \x1b[1mbold\x1b[0m"},
		{2 * time.Millisecond, logmux.Stdout, "not utf-8: \xff\xfe \x00 end"},
		{3 * time.Millisecond, logmux.Stdout, `{"an":"object"}`},
		{4 * time.Millisecond, logmux.Stdout, "crlf\r"},
	}
	text := newProject(t, helperModule("web", "sleeper"))
	var stdout, stderr []string
	for _, l := range lines {
		if l.s == logmux.Stdout {
			stdout = append(stdout, logLine(t0.Add(l.at), l.text))
		} else {
			stderr = append(stderr, logLine(t0.Add(l.at), l.text))
		}
	}
	writeLog(t, text.statusDir("web"), "__stdout", stdout...)
	writeLog(t, text.statusDir("web"), "__stderr", stderr...)

	js := newProject(t, helperModule("web", "sleeper"))
	if err := os.MkdirAll(js.statusDir("web"), 0o755); err != nil {
		t.Fatal(err)
	}
	var files [2]*logfiles.File
	for i, s := range []logmux.Stream{logmux.Stdout, logmux.Stderr} {
		files[i] = logfiles.NewFile(filepath.Join(js.statusDir("web"), logfiles.FileName(s)), logfiles.FileOptions{Format: logfiles.JSON, Module: "web", Stream: s})
	}
	for _, l := range lines {
		files[l.s].LineAt(t0.Add(l.at), 0, []byte(l.text), logmux.Newline)
	}
	for _, f := range files {
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}

	code1, fromText, e1 := text.svmanCmd("logs", "--json")
	code2, fromJSON, e2 := js.svmanCmd("logs", "--json")
	if code1 != exitOK || code2 != exitOK {
		t.Fatalf("exit %d (%s), %d (%s)", code1, e1, code2, e2)
	}
	if fromText != fromJSON {
		t.Errorf("from the text file:\n%s\nfrom the JSON file:\n%s", fromText, fromJSON)
	}
	objs := ndjson(t, fromText)
	if len(objs) != len(lines) {
		t.Fatalf("%d objects, want %d:\n%s", len(objs), len(lines), fromText)
	}
	for i, l := range lines {
		o := objs[i]
		got, _ := o["line"].(string)
		if b, ok := o["line_b64"].(string); ok {
			raw, _ := base64.StdEncoding.DecodeString(b)
			got = string(raw)
		}
		ts, _ := time.Parse(time.RFC3339Nano, o["ts"].(string))
		if got != l.text || o["stream"] != l.s.String() || o["module"] != "web" || !ts.Equal(t0.Add(l.at)) || o["pid"] != nil {
			t.Errorf("object %d: %v, want %q on %s at %v", i, o, l.text, l.s, t0.Add(l.at))
		}
	}
}

func TestLogsJSONFollow(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper"))
	if err := os.MkdirAll(p.statusDir("web"), 0o755); err != nil {
		t.Fatal(err)
	}
	f := logfiles.NewFile(filepath.Join(p.statusDir("web"), "__stdout"), logfiles.FileOptions{Format: logfiles.JSON, Module: "web"})
	defer f.Close()
	f.LineAt(time.Time{}, 41, []byte("before"), logmux.Newline)
	f.Flush()
	out := &syncBuffer{}
	s := p.startCmd(out, func(cmd *exec.Cmd) { cmd.Stdout, cmd.Stderr = out, out }, nil, "logs", "--json", "--follow", "-f", p.manifestPath())
	s.waitOutput(`"line":"before"`)
	f.LineAt(time.Time{}, 42, []byte("after \xff"), logmux.Newline)
	f.Flush()
	s.waitOutput(`"line_b64"`)
	s.stop()
	objs := ndjson(t, out.String())
	if len(objs) != 2 || jsonPID(objs[0]["pid"]) != 41 || jsonPID(objs[1]["pid"]) != 42 || objs[1]["line_b64"] != base64.StdEncoding.EncodeToString([]byte("after \xff")) {
		t.Errorf("followed:\n%s", out)
	}
}

// A reload switches a running module's log format in place: the same process
// goes on, its next lines are records, and svman logs reads the file of both.
func TestLogFormatReload(t *testing.T) {
	mod := func(format string) string {
		return fmt.Sprintf(`module "web" {
  command = ["/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo line $i; sleep 0.02; done"]
  log { format = %q }
}
`, format)
	}
	p := newProject(t, mod("text"))
	out := &syncBuffer{}
	s := p.startCmd(out, func(cmd *exec.Cmd) { cmd.Stdout, cmd.Stderr = out, out }, nil, "up", "--json", "-f", p.manifestPath())
	pid := p.waitPID("web", 0)
	path := filepath.Join(p.statusDir("web"), "__stdout")
	testkit.WaitFor(t, "text lines in __stdout", func() bool {
		data, _ := os.ReadFile(path)
		return bytes.Count(data, []byte("\n")) >= 2
	})
	p.write(mod("json"))
	s.waitOutput(`"event":"reload","msg":"reload: [^"]*","add":\[\],"remove":\[\],"restart":\[\],"update":\["web"\]`)
	testkit.WaitFor(t, "records in __stdout", func() bool {
		data, _ := os.ReadFile(path)
		return bytes.Count(data, []byte(`{"ts":`)) >= 2
	})
	if got := p.status("web").PID; got != pid {
		t.Errorf("pid %d after the reload, want %d: a format change restarts nothing", got, pid)
	}
	s.stop()

	code, logs, _ := p.svmanCmd("logs", "--json")
	if code != exitOK {
		t.Fatalf("svman logs --json exited %d", code)
	}
	objs := ndjson(t, logs)
	text, records, prev := 0, 0, 0
	for _, o := range objs {
		n := 0
		fmt.Sscanf(o["line"].(string), "line %d", &n)
		if n != prev+1 {
			t.Errorf("line %d after line %d: lost or duplicated across the switch:\n%s", n, prev, logs)
			break
		}
		prev = n
		switch jsonPID(o["pid"]) {
		case 0:
			if records > 0 {
				t.Errorf("a text line after a record: %v", o)
			}
			text++
		case pid:
			records++
		default:
			t.Errorf("pid %v, want %d", o["pid"], pid)
		}
	}
	if text < 2 || records < 2 {
		t.Errorf("%d text lines and %d records, want both", text, records)
	}
}
