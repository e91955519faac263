package statusfs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenStates are states and the state.json svman writes for each, byte for
// byte: the files earlier versions wrote, which this one must read the same.
var goldenStates = []struct {
	st   State
	json string
}{
	{State{State: RunUp}, `{"state":"up"}`},
	{State{State: RunDown}, `{"state":"down"}`},
	{State{State: RunDown, Reason: DownByOperator}, `{"state":"down","reason":"operator"}`},
	{State{State: RunDown, Reason: DownByRelease}, `{"state":"down","reason":"released"}`},
	{State{State: RunDown, Reason: DownByRemoval}, `{"state":"down","reason":"removal"}`},
	{State{State: RunBackoff, NextStart: goldenTime, Fails: 3, MinUptime: "1s", Exits: 4},
		`{"state":"backoff","next_start":"2024-05-01T12:00:00.5Z","fails":3,"min_uptime":"1s","exits":4}`},
	{State{State: RunFailed, Fails: 2, Exits: 5, Window: "1m0s", Reason: DownByPolicy},
		`{"state":"failed","fails":2,"exits":5,"window":"1m0s","reason":"policy"}`},
	{State{State: RunStopping, Exits: 1}, `{"state":"stopping","exits":1}`},
	{State{State: RunHook}, `{"state":"hook"}`},
	{State{State: RunUp, Restarts: 2, LastExit: Exit{At: goldenTime, Code: 3}},
		`{"state":"up","restarts":2,"last_exit":{"at":"2024-05-01T12:00:00.5Z","code":3}}`},
	{State{State: RunDown, LastExit: Exit{At: goldenTime}}, // a success: code 0, said
		`{"state":"down","last_exit":{"at":"2024-05-01T12:00:00.5Z","code":0}}`},
	{State{State: RunBackoff, NextStart: goldenTime, Restarts: 7, LastExit: Exit{At: goldenTime, Signal: "SIGSEGV", CoreDumped: true}},
		`{"state":"backoff","next_start":"2024-05-01T12:00:00.5Z","restarts":7,"last_exit":{"at":"2024-05-01T12:00:00.5Z","signal":"SIGSEGV","coredumped":true}}`},
}

func TestWriteStateGolden(t *testing.T) {
	d := openTemp(t)
	for _, g := range goldenStates {
		if err := d.WriteState(g.st); err != nil {
			t.Fatalf("WriteState(%+v): %v", g.st, err)
		}
		b, err := os.ReadFile(filepath.Join(d.Path(), "state.json"))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != g.json {
			t.Errorf("WriteState(%+v) wrote %s, want %s", g.st, b, g.json)
		}
	}
}

// Every state.json an earlier svman wrote reads back as the state it recorded.
func TestReadStateOfEarlierVersions(t *testing.T) {
	for _, g := range goldenStates {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte(g.json), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := ReadState(dir)
		if err != nil {
			t.Errorf("ReadState of %s: %v", g.json, err)
			continue
		}
		if !got.NextStart.Equal(g.st.NextStart) {
			t.Errorf("ReadState of %s: next start %v, want %v", g.json, got.NextStart, g.st.NextStart)
		}
		if !got.LastExit.At.Equal(g.st.LastExit.At) {
			t.Errorf("ReadState of %s: last exit at %v, want %v", g.json, got.LastExit.At, g.st.LastExit.At)
		}
		got.NextStart, got.LastExit.At = g.st.NextStart, g.st.LastExit.At
		if got != g.st {
			t.Errorf("ReadState of %s = %+v, want %+v", g.json, got, g.st)
		}
	}
}

// A state or a reason this version does not know (a newer svman's), or no
// state at all, is an error that names the file and the value: never taken
// for down or for no reason.
func TestReadStateRejectsUnknown(t *testing.T) {
	for _, c := range []struct{ json, msg string }{
		{`{"state":"starting"}`, `unknown state "starting"`},
		{`{"state":"Up"}`, `unknown state "Up"`},
		{`{"state":"down","reason":"operator2"}`, `unknown reason "operator2"`},
		{`{"state":""}`, `unknown state ""`},
		{`{"fails":1}`, "no state"},
		{`{}`, "no state"},
		{`{"state":`, "state.json"},
		{`{"state":"up","last_exit":{"at":"2024-05-01T12:00:00Z","code":1,"signal":"SIGKILL"}}`, "want a code or a signal"},
		{`{"state":"up","last_exit":{"at":"2024-05-01T12:00:00Z"}}`, "want a code or a signal"},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte(c.json), 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := ReadState(dir)
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "state.json") {
			t.Errorf("ReadState of %s = %+v, %v; want an error naming state.json and %q", c.json, st, err, c.msg)
		}
		if st != (State{}) {
			t.Errorf("ReadState of %s = %+v with its error, want the zero State", c.json, st)
		}
	}
	if _, err := ReadState(t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadState of no file = %v, want not exist", err)
	}
}

// A state with no name is refused, and the file is left as it was.
func TestWriteStateRefusesUnknown(t *testing.T) {
	d := openTemp(t)
	if err := d.WriteState(State{State: RunUp}); err != nil {
		t.Fatal(err)
	}
	for _, st := range []State{{}, {State: RunWaiting + 1}, {State: RunDown, Reason: DownByRelease + 1}} {
		if err := d.WriteState(st); err == nil {
			t.Errorf("WriteState(%+v) succeeded", st)
		}
	}
	if st, err := ReadState(d.Path()); err != nil || st.State != RunUp {
		t.Errorf("state.json after refused writes = %+v, %v; want up", st, err)
	}
}

func TestRunStateString(t *testing.T) {
	for r, want := range map[RunState]string{RunUnknown: "unknown", RunBackoff: "backoff", RunWaiting: "waiting", RunWaiting + 1: "unknown"} {
		if got := r.String(); got != want {
			t.Errorf("RunState(%d).String() = %q, want %q", r, got, want)
		}
	}
	for r, want := range map[DownReason]string{NoReason: "", DownByOperator: "operator", DownByRelease + 1: "unknown"} {
		if got := r.String(); got != want {
			t.Errorf("DownReason(%d).String() = %q, want %q", r, got, want)
		}
	}
}

func TestWriteStateAfterClose(t *testing.T) {
	d := openTemp(t)
	d.Close()
	if err := d.WriteState(State{State: RunUp}); !errors.Is(err, os.ErrClosed) {
		t.Errorf("WriteState after Close = %v, want os.ErrClosed", err)
	}
}
