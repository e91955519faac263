package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"svman/engine"
	"svman/internal/modview"
	"svman/manifest"
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
  ~ web     restart: env (DATABASE_URL, PORT), command
  ~ cron    in place: restart
  = batch   released: a reload leaves it so ('svman ctl batch up' takes it back)

A changed env names the variables added, removed or changed, never their values.
Exits 0 whether or not there are changes. An invalid manifest cannot be compared:
diff prints its diagnostics and the modules running now, and exits 1.`,
	flags: func(fs *flag.FlagSet) { manifestFlag(fs) },
	run:   runDiff,
}

func runDiff(_ context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	file := manifestFlag(fs)
	if ok, code := parseNoArgs(fs, args); !ok {
		return code
	}
	m, err := manifest.Load(*file)
	if err != nil {
		printLoadError(stderr, err, false)
		printRunning(*file, stdout, stderr)
		return exitFailure
	}
	plan, left, supervised, warnings := modview.ReloadPlan(m)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "svman diff: %s\n", w)
	}
	defer printScaled(stdout, m)
	if !supervised {
		fmt.Fprintf(stdout, "no svman supervises any module in %s: 'svman up' would start all %d\n", m.StatusDir, len(m.Modules))
		return exitOK
	}
	printPlan(stdout, plan)
	for _, n := range left {
		fmt.Fprintf(stdout, "= %s released: a reload leaves it so ('svman ctl %s up' takes it back)\n", n, n)
	}
	return exitOK
}

// printRunning says what runs while the manifest at path is invalid, so that
// the operator sees what a fixed save would be compared with.
func printRunning(path string, stdout, stderr io.Writer) {
	root, ok := manifest.StatusDirOf(path)
	if !ok {
		fmt.Fprintf(stderr, "svman diff: %s is not valid, and its status_dir cannot be told from it\n", path)
		return
	}
	running, releasedMods, warnings := modview.Applied(root)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "svman diff: %s\n", w)
	}
	fmt.Fprintf(stderr, "svman diff: %s is not valid (see above): there is nothing to compare\n", path)
	if len(running) == 0 && len(releasedMods) == 0 {
		fmt.Fprintf(stdout, "no svman supervises any module in %s\n", root)
		return
	}
	var names []string
	for _, mod := range running {
		names = append(names, mod.Name)
	}
	for _, mod := range releasedMods {
		names = append(names, mod.Name+" (released)")
	}
	fmt.Fprintf(stdout, "running in %s: %s\n", root, strings.Join(names, ", "))
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
		fmt.Fprintf(tw, "~ %s\trestart: %s\n", n, strings.Join(p.Detail(n), ", "))
	}
	for _, n := range p.Update {
		fmt.Fprintf(tw, "~ %s\tin place: %s\n", n, strings.Join(p.Detail(n), ", "))
	}
	tw.Flush()
	if len(p.Keep) > 0 {
		fmt.Fprintf(w, "%d unchanged\n", len(p.Keep))
	}
}
