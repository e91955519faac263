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

	"svman/internal/modview"
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

// moduleStatus is one row of `svman status`, and one object of --json: the
// control API serves the same (modview.Read).
type moduleStatus = modview.Status

// The states `svman status` shows (modview.State).
const (
	shownUp            = modview.Up
	shownPaused        = modview.Paused
	shownDown          = modview.Down
	shownRestarting    = modview.Restarting
	shownWaiting       = modview.Waiting
	shownBackoff       = modview.Backoff
	shownFailed        = modview.Failed
	shownReleased      = modview.Released
	shownNotSupervised = modview.NotSupervised
	shownUnknown       = modview.Unknown
)

// readModuleStatus is what t's status directory says at now, Text included.
func readModuleStatus(t target, now time.Time) moduleStatus {
	return modview.Read(t.name, t.dir, now)
}

// humanDuration is a compact age: 45s, 12m3s, 5h2m, 3d4h.
func humanDuration(d time.Duration) string { return modview.HumanDuration(d) }

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
	mv := make([]modview.Target, len(targets))
	for i, t := range targets {
		mv[i] = modview.Target{Name: t.name, Dir: t.dir}
	}
	rows := modview.ReadAll(mv, now, nil) // what GET /v1/modules serves
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
