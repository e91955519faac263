package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"svman/statusfs"
)

var statusCommand = &command{
	name:    "status",
	args:    "[MODULE...]",
	summary: "show every module's state, read from the status directories",
	help: `Reads each module's status directory (no connection to a running svman is needed) and
prints its state (up, starting while its ready probe has not passed, unhealthy with
the health checks failed in a row, paused, waiting with what for (waiting: db not
ready), down, completed for a one-shot whose last run succeeded, restarting now,
backoff in a crash loop with the time of its next start, failed; released after 'x',
until 'svman ctl NAME up' takes it back; unknown, with the reason, while a running
svman rewrites a broken status file or when its state.json cannot be read; or not
supervised when no svman holds its lock), what it wants (up, down, once), its pid,
how long it has been in that state, whether its alarms are on, and, in a STATUS
column shown when a module has one, the last STATUS= it sent on its notify socket.
With --json, prints one JSON array of the same facts: each module's "ready" (true
once its ready probe passed) and "text" (its STATE column) are always there.

While the manifest is invalid, its diagnostics are printed as a warning and every
status directory under its status_dir is shown: the running set.`,
	flags: func(fs *flag.FlagSet) { statusFlags(fs) },
	run:   runStatus,
}

// statusFlags declares svman status' flags on fs and returns their values: the
// command table lists them from it, and runStatus parses them.
func statusFlags(fs *flag.FlagSet) (tf targetFlags, asJSON *bool) {
	return addTargetFlags(fs), fs.Bool("json", false, "print JSON instead of a table")
}

// shownState is what `svman status` says a module does: its STATE column, and
// the "state" of --json.
type shownState string

const (
	shownUp            shownState = "up"
	shownPaused        shownState = "paused"
	shownDown          shownState = "down"
	shownRestarting    shownState = "restarting" // down, wanted up, and no backoff: a restart at once
	shownWaiting       shownState = "waiting"    // wanted up; its dependencies are not yet what it needs
	shownBackoff       shownState = "backoff"
	shownFailed        shownState = "failed"
	shownReleased      shownState = "released"
	shownNotSupervised shownState = "not supervised"
	shownUnknown       shownState = "unknown" // the status file or state.json cannot be read
)

// moduleStatus is one row of `svman status`, and one object of --json.
type moduleStatus struct {
	Module        string     `json:"module"`
	Supervised    bool       `json:"supervised"`
	State         shownState `json:"state"`
	Want          string     `json:"want,omitempty"`
	PID           int        `json:"pid"`
	Since         time.Time  `json:"since,omitzero"`
	Seconds       float64    `json:"seconds"` // how long in this state
	Alarms        string     `json:"alarms,omitempty"`
	NextStart     time.Time  `json:"next_start,omitzero"`  // backoff: when it starts again
	CrashLoop     int        `json:"crash_loop,omitempty"` // backoff: runs in a row shorter than min_uptime
	MinUptime     string     `json:"min_uptime,omitempty"` // backoff: the min_uptime they fell short of
	SupervisorPID int        `json:"supervisor_pid,omitempty"`
	Error         string     `json:"error,omitempty"`
	// Ready: the child runs and state.json says it is ready. Always given.
	Ready bool `json:"ready"`
	// Text is the STATE column of the table: what the table shows for it.
	Text string `json:"text"`
	// The rest is what state.json says beyond the state (statusfs.State).
	Reason    string `json:"reason,omitempty"`    // down or failed: who decided it
	Waiting   string `json:"waiting,omitempty"`   // waiting: for what
	Blocked   bool   `json:"blocked,omitempty"`   // waiting: for what only an operator can bring
	Status    string `json:"status,omitempty"`    // the last STATUS= sent on the notify socket
	Unhealthy int    `json:"unhealthy,omitempty"` // health checks failed in a row
	Completed bool   `json:"completed,omitempty"` // its last run exited with a success code

	runState statusfs.RunState // state.json's state; RunUnknown when it was not read
}

func runStatus(_ context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	tf, asJSON := statusFlags(fs)
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	targets, ok := tf.resolve(fs.Args(), stderr)
	if !ok {
		return exitFailure
	}
	now := time.Now()
	rows := make([]moduleStatus, len(targets))
	for i, t := range targets {
		rows[i] = readModuleStatus(t, now)
		rows[i].Text = stateText(rows[i], now)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			fmt.Fprintf(stderr, "svman status: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	printStatusTable(stdout, rows, now)
	return exitOK
}

// printStatusTable prints rows as `svman status` shows them. The STATUS column,
// the modules' own words (STATUS= on their notify socket) quoted as Go strings
// so that no control character reaches the terminal, is there only when one of
// them has some.
func printStatusTable(w io.Writer, rows []moduleStatus, now time.Time) {
	withStatus := slices.ContainsFunc(rows, func(r moduleStatus) bool { return r.Status != "" })
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	header := "MODULE\tSTATE\tWANT\tPID\tFOR\tALARMS"
	if withStatus {
		header += "\tSTATUS"
	}
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		pid, since, want, alarms := "-", "-", "-", "-"
		if r.PID != 0 {
			pid = fmt.Sprint(r.PID)
		}
		if !r.Since.IsZero() {
			since = humanDuration(now.Sub(r.Since))
		}
		if r.Want != "" {
			want = r.Want
		}
		if r.Alarms != "" {
			alarms = r.Alarms
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s", r.Module, r.Text, want, pid, since, alarms)
		if withStatus && r.Status != "" {
			line += "\t" + strconv.Quote(r.Status)
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}
