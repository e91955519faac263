// Package modview is what svman says of a module from its status directory:
// the facts `svman status` shows (its table and --json) and the control API
// serves, read by one function, and the names a command addresses modules by.
package modview

import (
	"runtime"
	"sync"
	"time"

	"svman/statusfs"
)

// State is what `svman status` says a module does: its STATE column, and the
// "state" of --json and of the API.
type State string

const (
	Up            State = "up"
	Paused        State = "paused"
	Down          State = "down"
	Restarting    State = "restarting" // down, wanted up, and no backoff: a restart at once
	Waiting       State = "waiting"    // wanted up; its dependencies are not yet what it needs
	Backoff       State = "backoff"
	Failed        State = "failed"
	Released      State = "released"
	NotSupervised State = "not supervised"
	Unknown       State = "unknown" // the status file or state.json cannot be read
)

// Status is one row of `svman status`, one object of its --json, and one
// module of the control API.
type Status struct {
	Module        string    `json:"module"`
	Supervised    bool      `json:"supervised"`
	State         State     `json:"state"`
	Want          string    `json:"want,omitempty"`
	PID           int       `json:"pid"`
	Since         time.Time `json:"since,omitzero"`
	Seconds       float64   `json:"seconds"` // how long in this state
	Alarms        string    `json:"alarms,omitempty"`
	NextStart     time.Time `json:"next_start,omitzero"`  // backoff: when it starts again
	CrashLoop     int       `json:"crash_loop,omitempty"` // backoff: runs in a row shorter than min_uptime
	MinUptime     string    `json:"min_uptime,omitempty"` // backoff: the min_uptime they fell short of
	SupervisorPID int       `json:"supervisor_pid,omitempty"`
	Error         string    `json:"error,omitempty"`
	// Ready: the child runs and state.json says it is ready. Always given.
	Ready bool `json:"ready"`
	// Text is the STATE column of the table: what the table shows for it.
	Text string `json:"text"`
	// The rest is what state.json says beyond the state (statusfs.State).
	Reason    string `json:"reason,omitempty"`    // down or failed: who decided it
	WaitingOn string `json:"waiting,omitempty"`   // waiting: for what
	Blocked   bool   `json:"blocked,omitempty"`   // waiting: for what only an operator can bring
	Status    string `json:"status,omitempty"`    // the last STATUS= sent on the notify socket
	Unhealthy int    `json:"unhealthy,omitempty"` // health checks failed in a row
	Completed bool   `json:"completed,omitempty"` // its last run exited with a success code
	// Restarts: starts svman scheduled after its process ended, since this
	// svman supervises it. Always given.
	Restarts int           `json:"restarts"`
	LastExit statusfs.Exit `json:"last_exit,omitzero"` // how its process last ended

	runState statusfs.RunState // state.json's state; RunUnknown when it was not read
}

// Read returns what the status directory dir says of module name at now,
// Text included. It never fails: what cannot be read is in State and Error.
func Read(name, dir string, now time.Time) Status {
	r := read(name, dir, now, statusfs.LockHolder)
	r.Text = r.text(now)
	return r
}

// ReadAll is Read of every target, in order, with the kernel's table of
// locks read once for all (statusfs.ReadLocks), not once a module. Many
// targets are read by as many goroutines as there are CPUs: the reads are
// system calls, which run in parallel.
//
// held, when not nil, is the status directories the calling process holds,
// by module name (what the svman serving the control API supervises): those
// modules are described from what their Dir last wrote, with no file read.
func ReadAll(targets []Target, now time.Time, held map[string]*statusfs.Dir) []Status {
	rows := make([]Status, len(targets))
	var rest []int // the targets not held, to read from their files
	for i, t := range targets {
		if d := held[t.Name]; d != nil && d.Path() == t.Dir {
			var ok bool
			if rows[i], ok = readHeld(t.Name, d, now); ok {
				rows[i].Text = rows[i].text(now)
				continue
			}
		}
		rest = append(rest, i)
	}
	if len(rest) == 0 {
		return rows
	}
	locks := statusfs.ReadLocks()
	readRange := func(lo, hi int) {
		for _, i := range rest[lo:hi] {
			rows[i] = read(targets[i].Name, targets[i].Dir, now, locks.LockHolder)
			rows[i].Text = rows[i].text(now)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(rest)/parallelFrom+1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { readRange(w*len(rest)/workers, (w+1)*len(rest)/workers) })
	}
	wg.Wait()
	return rows
}

// parallelFrom is how many targets a goroutine of ReadAll reads at least.
const parallelFrom = 64
