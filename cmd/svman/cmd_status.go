package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"text/tabwriter"
	"time"

	"svman/engine"
	"svman/statusfs"
)

var statusCommand = &command{
	name:    "status",
	args:    "[MODULE...]",
	summary: "show every module's state, read from the status directories",
	help: `Reads each module's status directory (no connection to a running svman is needed) and
prints its state (up, paused, down, restarting now, backoff in a crash loop with the
time of its next start, failed; released after 'x', until 'svman ctl NAME up' takes it
back; unknown, with the reason, while a running svman rewrites a broken status file or
when its state.json cannot be read; or not supervised when no svman holds its lock),
what it wants (up, down, once), its pid, how long it has been in that state, and
whether its alarms are on. With --json, prints one JSON array of the same facts.

While the manifest is invalid, its diagnostics are printed as a warning and every
status directory under its status_dir is shown: the running set.`,
	run: runStatus,
}

// shownState is what `svman status` says a module does: its STATE column, and
// the "state" of --json.
type shownState string

const (
	shownUp            shownState = "up"
	shownPaused        shownState = "paused"
	shownDown          shownState = "down"
	shownRestarting    shownState = "restarting" // down, wanted up, and no backoff: a restart at once
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
}

func runStatus(_ context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	tf := addTargetFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
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
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODULE\tSTATE\tWANT\tPID\tFOR\tALARMS")
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
		state := string(r.State)
		switch {
		case r.State == shownBackoff && !r.NextStart.IsZero():
			if d, err := time.ParseDuration(r.MinUptime); err == nil && r.CrashLoop > 0 {
				state += " (" + engine.CrashLoopText(r.CrashLoop, d) + ")"
			}
			state += ", next start in " + humanDuration(r.NextStart.Sub(now)+time.Second/2)
		case r.State == shownRestarting:
			state = "restarting now"
		case r.State == shownFailed:
			state += " (gave up; 'svman ctl " + r.Module + " up' starts it)"
		case r.State == shownReleased:
			state += " ('svman ctl " + r.Module + " up' takes it back)"
		}
		if r.Error != "" {
			state += " (" + r.Error + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Module, state, want, pid, since, alarms)
	}
	tw.Flush()
	return exitOK
}

func readModuleStatus(t target, now time.Time) moduleStatus {
	r := moduleStatus{Module: t.name, State: shownNotSupervised}
	r.Supervised = statusfs.Supervised(t.dir)
	if !r.Supervised && statusfs.Listening(t.dir) {
		r.State = shownReleased // by `x`: the svman that let go of it takes it back on u or o
	}
	if pid, ok := statusfs.LockHolder(t.dir); ok {
		r.SupervisorPID = pid
	}
	st, err := statusfs.ReadStatus(t.dir)
	if err != nil {
		if r.Supervised {
			statusBroken(&r, t.dir, err)
		}
		return r
	}
	if !r.Supervised {
		return r // the file is what the last supervisor left: not the truth now
	}
	r.Since = st.Changed
	r.Seconds = now.Sub(st.Changed).Seconds()
	switch st.Want {
	case statusfs.WantUp:
		r.Want = "up"
	case statusfs.WantDown:
		r.Want = "down"
	case statusfs.WantOnce:
		r.Want = "once"
	}
	r.Alarms = "on"
	if !st.AlarmsOn {
		r.Alarms = "off"
	}
	r.PID = st.PID
	switch {
	case st.PID != 0 && st.Paused:
		r.State = shownPaused
	case st.PID != 0:
		r.State = shownUp
	default:
		downState(&r, t.dir, st.Want)
	}
	return r
}

// downState fills r for a supervised module whose status file says no child
// runs: the status file cannot say why, state.json (at dir) can. Without
// state.json (removed on a full disk) the module is down; with one that cannot
// be read, its state is unknown.
func downState(r *moduleStatus, dir string, want statusfs.Want) {
	r.State = shownDown
	es, err := statusfs.ReadState(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		r.State, r.Error = shownUnknown, fmt.Sprintf("state.json unreadable: %v", err)
	case es.State == statusfs.RunBackoff:
		r.State, r.NextStart = shownBackoff, es.NextStart
		r.CrashLoop, r.MinUptime = es.Fails, es.MinUptime
	case es.State == statusfs.RunFailed:
		r.State, r.NextStart = shownFailed, es.NextStart
	case es.State == statusfs.RunUp && want == statusfs.WantUp:
		// The child is gone and nothing was decided yet: a restart at
		// once is under way (what the old instance left is being stopped).
		r.State = shownRestarting
	}
}

// statusBroken fills r for a module whose svman runs but whose status file cannot
// be read: deleted, or something else (a directory) put in its place. svman
// writes it again as soon as it notices; until then state.json says what it can.
func statusBroken(r *moduleStatus, dir string, err error) {
	r.State = shownUnknown
	if es, serr := statusfs.ReadState(dir); serr == nil {
		r.State, r.NextStart = shownState(es.State.String()), es.NextStart // as state.json names it
	}
	r.Error = fmt.Sprintf("status file unreadable, svman is rewriting it: %v", err)
}

// humanDuration is a compact age: 45s, 12m3s, 5h2m, 3d4h.
func humanDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh%dm", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%dd%dh", s/86400, s%86400/3600)
}
