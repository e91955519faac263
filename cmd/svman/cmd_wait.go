package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"svman/manifest"
	"svman/statusfs"
)

var waitCommand = &command{
	name:    "wait",
	args:    "[MODULE...]",
	summary: "wait until modules are ready (for scripts and CI)",
	help: `Waits until each named module (by default, every module of the manifest with
autostart = true) is ready: its child runs and its ready probe has passed (at once
for a module without a ready block), or it is a one-shot whose last run succeeded
and that is still supervised. It reads the status directories, as
'svman status' does, and wakes on their changes, so it may run before 'svman up'
has made them.

Exits 0 once all are ready. Exits 1, printing one line for each module that is not
ready and why (web: starting (ready probe has not passed), api: waiting: db not
ready, db: not supervised (no svman holds status/db/lock)), when --timeout
passes, and at once when a module cannot become ready until an operator acts:
failed, down by the operator or its restart policy, released, or waiting for a
dependency that is one of these. Without --timeout it waits for as long as it takes.`,
	flags: func(fs *flag.FlagSet) { waitFlags(fs) },
	run:   runWait,
}

// waitFlags declares svman wait's flags on fs and returns their values: the
// command table lists them from it, and runWait parses them.
func waitFlags(fs *flag.FlagSet) (tf targetFlags, timeout *time.Duration) {
	return addTargetFlags(fs), fs.Duration("timeout", 0, "give up after `D` (a duration: 90s, 2m); 0, the default, waits for as long as it takes")
}

// waitRecheck is how often `svman wait` reads the status directories without
// being woken: for what inotify cannot see (a directory that holds none yet
// made further up, a lock dropped by a killed svman without a close).
const waitRecheck = time.Second

func runWait(ctx context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	tf, timeout := waitFlags(fs)
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if *timeout < 0 {
		fmt.Fprintf(stderr, "svman wait: --timeout %s is negative\n", *timeout)
		return exitUsage
	}
	targets, m, ok := tf.resolveManifest(fs.Args(), stderr)
	if !ok {
		return exitFailure
	}
	if fs.NArg() == 0 {
		targets = autostartTargets(targets, m)
	}
	return waitReady(ctx, m, targets, *timeout, waitRecheck, stderr)
}

// autostartTargets are the targets of the modules started with svman: with a
// manifest, those with autostart = true; without (--status-dir), those whose
// module.json says so, or that have none (the legacy supervise's).
func autostartTargets(targets []target, m *manifest.Manifest) []target {
	autostart := make(map[string]bool)
	if m != nil {
		for _, mod := range m.Modules {
			autostart[mod.Name] = mod.Autostart
		}
	}
	var out []target
	for _, t := range targets {
		if m != nil {
			if autostart[t.name] {
				out = append(out, t)
			}
			continue
		}
		if mod, err := statusfs.ReadApplied(t.dir); err != nil || mod.Autostart {
			out = append(out, t)
		}
	}
	return out
}

// waitReady waits until every module of targets is ready (exit 0), one of them
// cannot become ready until an operator acts, or timeout (0: none) passes, or
// ctx ends (exit 1, with a line on stderr for each module not ready). It reads
// the status directories when one changed (statusWatch), and every recheck.
func waitReady(ctx context.Context, m *manifest.Manifest, targets []target, timeout, recheck time.Duration, stderr io.Writer) int {
	watch, err := newStatusWatch()
	if err != nil {
		fmt.Fprintf(stderr, "svman wait: %v\n", err)
		return exitFailure
	}
	defer watch.Close()
	var roots, dirs []string // the directories that hold status directories, and those
	for _, t := range targets {
		roots, dirs = append(roots, filepath.Dir(t.dir)), append(dirs, t.dir)
	}
	var expired <-chan time.Time
	if timeout > 0 {
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		expired = timer.C
	}
	tick := time.NewTicker(recheck)
	defer tick.Stop()
	for {
		watch.add(roots, dirs) // before reading: a change after the read wakes the select
		lines, v := judgeAll(m, targets)
		switch {
		case v == verdictDone:
			return exitOK
		case v == verdictStuck:
			printLines(stderr, lines)
			return exitFailure
		}
		select {
		case <-watch.wake:
		case <-tick.C:
		case <-expired:
			lines, v := judgeAll(m, targets)
			if v == verdictDone {
				return exitOK
			}
			printLines(stderr, lines)
			return exitFailure
		case <-ctx.Done():
			printLines(stderr, lines)
			return exitFailure
		}
	}
}

// judgeAll judges every target now: done when all are, stuck when one is,
// pending otherwise, with a line for each that is not done.
func judgeAll(m *manifest.Manifest, targets []target) ([]string, verdict) {
	round := newWaitRound(m, targets, time.Now())
	all := verdictDone
	var lines []string
	for _, t := range targets {
		v, line := round.judge(t.name)
		if v != verdictDone {
			lines = append(lines, line)
		}
		all = max(all, v)
	}
	return lines, all
}

func printLines(w io.Writer, lines []string) {
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}
