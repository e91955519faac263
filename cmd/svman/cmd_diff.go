package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"svman/engine"
	"svman/manifest"
	"svman/statusfs"
)

var diffCommand = &command{
	name:    "diff",
	args:    "",
	summary: "show what a reload of the manifest would change, without doing it",
	help: `Compares the manifest on disk with what the running svman applies (each supervised
module's status directory records its settings in module.json) and prints the plan a
reload would carry out:

  + api     start: a new module
  - old     stop: no longer in the manifest
  ~ web     restart: env, command
  ~ cron    in place: restart

Exits 0 whether or not there are changes, 1 when the manifest is invalid.`,
}

func init() { diffCommand.run = runDiff }

func runDiff(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(diffCommand, stderr)
	file := manifestFlag(fs)
	if ok, code := parseNoArgs(fs, args); !ok {
		return code
	}
	m, ok := loadManifest(*file, stderr, false)
	if !ok {
		return exitFailure
	}
	running, warnings := runningModules(m.StatusDir)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "svman diff: %s\n", w)
	}
	if len(running) == 0 {
		fmt.Fprintf(stdout, "no svman supervises any module in %s: 'svman up' would start all %d\n", m.StatusDir, len(m.Modules))
		return exitOK
	}
	printPlan(stdout, engine.Diff(running, m.Modules))
	return exitOK
}

// runningModules reads the applied settings of every supervised module under root.
func runningModules(root string) ([]manifest.Module, []string) {
	entries, _ := os.ReadDir(root)
	var mods []manifest.Module
	var warnings []string
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		if !e.IsDir() || !statusfs.Supervised(dir) {
			continue
		}
		mod, err := engine.ReadApplied(dir)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s is supervised but its settings cannot be read (%v); it is left out", e.Name(), err))
			continue
		}
		mods = append(mods, mod)
	}
	return mods, warnings
}

func printPlan(w io.Writer, p engine.Plan) {
	if !p.Changes() {
		fmt.Fprintf(w, "no changes: %d %s as the manifest says\n", len(p.Keep), plural(len(p.Keep), "module runs", "modules run"))
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, n := range p.Add {
		fmt.Fprintf(tw, "+ %s\tstart: a new module\n", n)
	}
	for _, n := range p.Remove {
		fmt.Fprintf(tw, "- %s\tstop: no longer in the manifest\n", n)
	}
	for _, n := range p.Restart {
		fmt.Fprintf(tw, "~ %s\trestart: %s\n", n, strings.Join(p.Changed[n], ", "))
	}
	for _, n := range p.Update {
		fmt.Fprintf(tw, "~ %s\tin place: %s\n", n, strings.Join(p.Changed[n], ", "))
	}
	tw.Flush()
	if len(p.Keep) > 0 {
		fmt.Fprintf(w, "%d unchanged\n", len(p.Keep))
	}
}
