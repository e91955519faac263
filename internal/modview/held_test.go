package modview

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"svman/statusfs"
)

// The svman serving the control API describes the modules it holds from what
// it last wrote, and says of each what `svman status --json` reads in its
// files, whatever the module does.
func TestHeldSaysWhatTheFilesSay(t *testing.T) {
	root := t.TempDir()
	now := time.Now()
	up := statusfs.Status{Changed: now.Add(-time.Minute), Want: statusfs.WantUp, AlarmsOn: true, PID: os.Getpid()}
	down := statusfs.Status{Changed: now.Add(-time.Second), Want: statusfs.WantDown}
	wantedUp := statusfs.Status{Changed: now, Want: statusfs.WantUp, AlarmsOn: true}
	paused := up
	paused.Paused = true
	cases := []struct {
		name   string
		status statusfs.Status
		state  *statusfs.State // nil: no state.json
	}{
		{"up-ready", up, &statusfs.State{State: statusfs.RunUp, Ready: true, Status: "serving", Unhealthy: 1}},
		{"up-starting", up, &statusfs.State{State: statusfs.RunUp}},
		{"up-no-state", up, nil},
		{"paused", paused, &statusfs.State{State: statusfs.RunUp, Ready: true}},
		{"down-by-operator", down, &statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByOperator, Completed: true}},
		{"down-no-state", down, nil},
		{"restarting", wantedUp, &statusfs.State{State: statusfs.RunUp}},
		{"restarting-stopping-leftovers", wantedUp, &statusfs.State{State: statusfs.RunStopping, LastExit: statusfs.Exit{At: now, Signal: "SIGKILL"}}},
		{"backoff", wantedUp, &statusfs.State{State: statusfs.RunBackoff, NextStart: now.Add(time.Second), Fails: 3, MinUptime: "1s"}},
		{"failed", wantedUp, &statusfs.State{State: statusfs.RunFailed, NextStart: now.Add(time.Hour), Reason: statusfs.DownByPolicy, Window: "1h0m0s"}},
		{"waiting", wantedUp, &statusfs.State{State: statusfs.RunWaiting, Waiting: "db to be ready", Blocked: true}},
	}
	var targets []Target
	held := make(map[string]*statusfs.Dir)
	for _, c := range cases {
		d, err := statusfs.Open(filepath.Join(root, c.name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if err := d.WriteStatus(c.status); err != nil {
			t.Fatal(err)
		}
		if c.state != nil {
			if err := d.WriteState(*c.state); err != nil {
				t.Fatal(err)
			}
		}
		targets = append(targets, Target{c.name, d.Path()})
		held[c.name] = d
	}
	fromFiles := ReadAll(targets, now, nil)
	fromHeld := ReadAll(targets, now, held)
	for i, c := range cases {
		if strings.HasPrefix(c.name, "restarting") && fromFiles[i].State != Restarting {
			t.Errorf("%s: %s, want restarting", c.name, fromFiles[i].State)
		}
		files, mem := fmt.Sprintf("%+v", fromFiles[i]), fmt.Sprintf("%+v", fromHeld[i])
		if files != mem {
			t.Errorf("%s:\nfrom the files %s\nfrom memory    %s", c.name, files, mem)
		}
		if fromHeld[i].SupervisorPID != os.Getpid() || !fromHeld[i].Supervised {
			t.Errorf("%s: %+v; want supervised by this process", c.name, fromHeld[i])
		}
	}
	// A Dir closed since (the module removed) is read from its files: no
	// longer supervised.
	held["up-ready"].Close()
	if got := ReadAll(targets[:1], now, held)[0]; got.Supervised || got.State != NotSupervised {
		t.Errorf("a closed directory: %+v; want not supervised", got)
	}
}
