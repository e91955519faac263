package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"sync/atomic"

	"svman/internal/manifestwatch"
	"svman/logmux"
	"svman/manifest"
	"svman/statusfs"
)

var upCommand = &command{
	name:    "up",
	args:    "",
	summary: "run and supervise every module of the manifest, in the foreground",
	help: `Starts every module of the manifest, restarts what dies per its restart policy, and
shows all their output as one stream: "15:04:05 web    | line" (stderr lines use '!').
Each module is controlled through its status directory (status_dir/NAME/), from any
terminal: 'svman ctl', 'svman status', or the legacy 'echo d > control'.

Hot reload: saving the manifest or one of its env files (in any editor) applies it:
added modules start, changed ones restart (an env file's edit restarts only the
modules whose environment it changes), policy-only changes apply in place, and every
other module keeps running untouched; removed ones stop once the file has not changed
for a second (a save written in pieces is whole by then). An invalid manifest changes
nothing. HUP, 'svman reload', or 'r' written to any control FIFO reload it too,
removals included, at once.

--json prints NDJSON instead, for programs: one object per line of a module ("ts",
"module", "stream", "pid", "line" or, for a line that is not UTF-8, "line_b64", or with
parse = "json" a JSON object in "json") and one per event of svman ("module", "event",
"msg" and the event's fields, such as "code" and "signal" of "exited").

Signals: INT or TERM stops every module (stop_signal, then SIGKILL after stop_timeout)
and exits 0; a second INT kills them all at once.`,
	flags: func(fs *flag.FlagSet) { upFlags(fs) },
	run:   runUp,
}

// upFlags declares svman up's flags on fs and returns their values: the
// command table lists them from it, and runUp parses them.
func upFlags(fs *flag.FlagSet) (file *string, color *colorFlag, view viewFlags, formation *string) {
	return manifestFlag(fs), addColorFlag(fs), addViewFlags(fs),
		fs.String("formation", "", "run `MODULE=N,...` instances of these modules, as svman scale records them (foreman's -m)")
}

func runUp(ctx context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	file, color, view, formation := upFlags(fs)
	if ok, code := parseNoArgs(fs, args); !ok {
		return code
	}
	if err := view.jsonConflicts(*color); err != nil {
		fmt.Fprintf(stderr, "svman up: %v\n", err)
		return exitUsage
	}
	useColor := color.enabled(stdout) && !*view.json
	gcPercent := startupGC()
	defer debug.SetGCPercent(gcPercent) // on every return; the modules' start restores it earlier
	m, ok := loadManifest(*file, stderr, useColor)
	if !ok {
		return exitFailure
	}
	if *formation != "" {
		var code int
		if m, code = applyFormation(*file, m, *formation, stderr, useColor); code != exitOK {
			return code
		}
	}
	m = supervised(m)
	opts, err := view.options(m, useColor, terminalText(stdout, useColor), stderr)
	if err != nil {
		fmt.Fprintf(stderr, "svman up: %v\n", err)
		return exitUsage
	}
	growPipe(stdout)
	console := logmux.NewConsole(stdout, opts)
	defer console.Close() // last: everything else may still print

	// Watch before the first Apply, so an edit saved while svman starts is not lost:
	// it is applied as soon as the start is done. The env files are watched too.
	var edits, settled <-chan struct{}
	sources := &sourceWatch{systemf: console.Systemf}
	if w, err := manifestwatch.Watch(m.Path, reloadQuiet, removalQuiet); err != nil {
		console.Systemf("cannot watch %s for changes (%v): reload with 'svman reload' or SIGHUP", m.Path, err)
	} else {
		defer w.Close()
		edits, settled = w.C, w.Settled
		sources.w = w
		sources.follow(m.Sources)
	}

	// Held until svman exits (released after every module has stopped: the
	// defers run in reverse), so that scale and reload find this svman even
	// when it supervises no module. Another holder is another svman up on the
	// same status_dir: Apply refuses it, module by module, as before.
	root, err := statusfs.HoldRoot(m.StatusDir)
	if err == nil {
		defer root.Close()
	} else if !errors.Is(err, statusfs.ErrRootHeld) {
		console.Systemf("cannot lock %s (%v): with no module supervised, svman scale and reload will not find this svman", m.StatusDir, err)
	}
	sv, err := startSupervision(ctx, m, console, nil)
	if err != nil {
		fmt.Fprintf(stderr, "svman up: %v\n", err)
		return exitFailure
	}
	defer sv.close()
	sv.metrics.Add(m.Modules)
	defer startTextfile(sv.metrics, m, console)() // after the last module is down: sv.run has returned
	var inForce atomic.Pointer[manifest.Manifest] // the reload actor's m, for the API
	inForce.Store(m)
	asks := make(chan chan<- reloaded) // the API's reloads, to the reload actor
	// The socket is replaced only by the holder of status_dir.
	if root != nil {
		defer startAPI(sv, m, &inForce, asks, console)() // stops after every module is down (sv.run)
	}
	if _, err := sv.engine.Apply(m); err != nil {
		fmt.Fprintf(stderr, "svman up: %v\n", err)
		return exitFailure
	}
	pruneScale(m, console)
	// Start-up garbage (the parsed manifest, the first forks' stacks) is the largest
	// the heap will be; give it back now rather than keep it for the life of svman.
	debug.SetGCPercent(gcPercent)
	debug.FreeOSMemory()
	console.Event(logmux.SystemName, "supervising",
		fmt.Sprintf("supervising %d %s from %s (status in %s)", len(m.Modules), plural(len(m.Modules), "module", "modules"), m.Path, m.StatusDir),
		logmux.Field{Key: "modules", Value: len(m.Modules)}, logmux.Field{Key: "manifest", Value: m.Path}, logmux.Field{Key: "status_dir", Value: m.StatusDir})

	r := &upReloader{
		sv: sv, console: console, m: m,
		edits: edits, settled: settled, hangups: make(chan struct{}, 1),
		loads: newManifestLoader(m.Path, console.Systemf), sources: sources,
		inForce: &inForce, asks: asks,
	}
	sv.run(lifecycle{
		hangup: func() { notify(r.hangups) },
		stopping: func(sig string) {
			console.Event(logmux.SystemName, "shutdown", sig+": stopping every module (interrupt again to kill them at once)", logmux.Field{Key: "signal", Value: sig})
		},
		killing: func(sig string) {
			console.Event(logmux.SystemName, "kill_all", sig+" again: killing every module", logmux.Field{Key: "signal", Value: sig})
		},
		reload: r.run,
	})
	console.Event(logmux.SystemName, "bye", "every module is down; bye")
	return exitOK
}

// startupGCPercent is the collector's GOGC while svman up loads its manifest
// and starts its modules. Start-up makes most of the garbage svman ever makes
// (the parsed manifest, each module's first start), and the heap grows to
// twice what lives before the default collects it: the memory that lives on is
// then spread over many more pages, which stay in use (2 KiB a module with 1000
// sleep modules, of 15). Collecting more often while it starts costs a few
// milliseconds of CPU.
const startupGCPercent = 25

// startupGC sets startupGCPercent, unless GOGC asks for less (or off), and
// returns the percent to go back to once the modules have started.
func startupGC() int {
	prev := debug.SetGCPercent(startupGCPercent)
	if prev < startupGCPercent {
		debug.SetGCPercent(prev)
	}
	return prev
}
