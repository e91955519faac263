package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"svman/alarm"
	"svman/engine"
	"svman/internal/proc"
	"svman/logmux"
	"svman/manifest"
)

var upCommand = &command{
	name:    "up",
	args:    "",
	summary: "run and supervise every module of the manifest, in the foreground",
	help: `Starts every module of the manifest, restarts what dies per its restart policy, and
shows all their output as one stream: "15:04:05 web    | line" (stderr lines use '!').
Each module is controlled through its status directory (status_dir/NAME/), from any
terminal: 'svman ctl', 'svman status', or the legacy 'echo d > control'.

Hot reload: saving the manifest (in any editor) applies it: added modules start,
changed ones restart, policy-only changes apply in place, and every other module
keeps running untouched; removed ones stop once the file has not changed for a
second (a save written in pieces is whole by then). An invalid manifest changes
nothing. HUP, 'svman reload', or 'r' written to any control FIFO reload it too,
removals included, at once.

Signals: INT or TERM stops every module (stop_signal, then SIGKILL after stop_timeout)
and exits 0; a second INT kills them all at once.`,
}

func init() { upCommand.run = runUp }

func runUp(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(upCommand, stderr)
	file := manifestFlag(fs)
	color := addColorFlag(fs)
	view := addViewFlags(fs)
	if ok, code := parseNoArgs(fs, args); !ok {
		return code
	}
	useColor := color.enabled(stdout)
	m, ok := loadManifest(*file, stderr, useColor)
	if !ok {
		return exitFailure
	}
	opts, err := view.options(m, useColor, terminalText(stdout, useColor), stderr)
	if err != nil {
		fmt.Fprintf(stderr, "svman up: %v\n", err)
		return exitUsage
	}
	growPipe(stdout)
	console := logmux.NewConsole(stdout, opts)
	defer console.Close() // last: everything else may still print
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

	// Watch before the first Apply, so an edit saved while svman starts is not lost:
	// it is applied as soon as the start is done.
	var edits, settled <-chan struct{}
	if w, err := engine.WatchManifest(m.Path, reloadQuiet, removalQuiet); err != nil {
		console.Systemf("cannot watch %s for changes (%v): reload with 'svman reload' or SIGHUP", m.Path, err)
	} else {
		defer w.Close()
		edits, settled = w.C, w.Settled
	}

	sv, err := startSupervision(ctx, m, console, nil)
	if err != nil {
		fmt.Fprintf(stderr, "svman up: %v\n", err)
		return exitFailure
	}
	defer sv.close()
	e, alarms := sv.engine, sv.alarms
	if _, err := e.Apply(m); err != nil {
		fmt.Fprintf(stderr, "svman up: %v\n", err)
		return exitFailure
	}
	// Start-up garbage (the parsed manifest, the first forks' stacks) is the largest
	// the heap will be; give it back now rather than keep it for the life of svman.
	debug.FreeOSMemory()
	console.Systemf("supervising %d %s from %s (status in %s)", len(m.Modules), plural(len(m.Modules), "module", "modules"), m.Path, m.StatusDir)

	loads := newManifestLoader(m.Path, console.Systemf)
	interrupted := false
	pending := false // removals an edit held back, until the file is quiet
	for {
		select {
		case <-edits:
			if !interrupted {
				loads.request(byEdit)
			}
		case <-settled:
			if !interrupted && pending {
				loads.request(bySettled)
			}
		case r := <-loads.results:
			loads.done()
			if !interrupted {
				m, pending = reload(e, m, pending, r, console, alarms)
			}
		case sig := <-sigs:
			switch {
			case sig == syscall.SIGHUP:
				loads.request(byOperator)
			case !interrupted:
				interrupted = true
				console.Systemf("%s: stopping every module (interrupt again to kill them at once)", signalName(sig))
				sv.stop()
			default:
				console.Systemf("%s again: killing every module", signalName(sig))
				e.Kill()
			}
		case <-sv.reloads:
			loads.request(byOperator)
		case <-ctx.Done():
			sv.stop()
		case <-sv.stopped:
			console.Systemf("every module is down; bye")
			return exitOK
		}
	}
}

// supervision is the machinery `svman up` and `svman supervise` share: the
// reaper, the alarm sender and the engine, running and reporting to a console.
type supervision struct {
	engine  *engine.Engine
	reaper  *proc.Reaper
	alarms  *alarm.Sender
	reloads chan struct{} // an `r` was written to a control FIFO
	stopped chan struct{} // closed once the engine's Run has returned
	stop    context.CancelFunc
}

// startSupervision makes svman a child subreaper and starts an engine for m's
// modules; nothing runs until the caller's first Apply. Every event is printed on
// the console, then handed to also (if set), which must not block. Close it once
// done (after the console's last use but before console.Close).
func startSupervision(ctx context.Context, m *manifest.Manifest, console *logmux.Console, also func(engine.Event)) (*supervision, error) {
	// Orphans of modules (daemons that detach) are re-parented to svman, so they are
	// reaped and no zombie is left behind.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		console.Systemf("cannot become a child subreaper (%v): detached grandchildren will be reaped by init", err)
	}
	// A console that goes away (`svman up | head`) must not take supervision with
	// it: with SIGPIPE notified, a write to a closed stdout fails with EPIPE instead
	// of killing svman, and the log files still get every line. (Notify, not Ignore:
	// an ignored signal would stay ignored in every child.)
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	sv := &supervision{reaper: proc.NewReaper(), reloads: make(chan struct{}, 1), stopped: make(chan struct{})}
	// The engine is created below; deliveries that fail report to it.
	var e *engine.Engine
	sv.alarms = alarm.NewSender(alarm.Config{
		SMTP:   alarmSMTP(m.SMTP),
		Run:    sv.reaper.Run,
		Failed: func(module, channel string, err error) { e.ReportAlarmFailure(module, channel, err) },
	})
	e, err := engine.New(engine.Config{
		Reaper: sv.reaper,
		Output: console,
		Alarms: sv.alarms,
		Events: func(ev engine.Event) {
			if !ev.Quiet { // held back by the limit on what control bytes log
				console.Systemf("%s", ev)
			}
			if ev.Kind == engine.Reload {
				select {
				case sv.reloads <- struct{}{}:
				default: // one is pending already
				}
			}
			if also != nil {
				also(ev)
			}
		},
	})
	if err != nil {
		sv.alarms.Close()
		sv.reaper.Close()
		return nil, err
	}
	sv.engine = e
	runCtx, stop := context.WithCancel(ctx)
	sv.stop = stop
	go func() {
		e.Run(runCtx)
		close(sv.stopped)
	}()
	return sv, nil
}

// close stops the engine (every module it still supervises), waits for it, and
// then closes the alarm sender and the reaper, in that order: hooks run through
// the reaper.
func (sv *supervision) close() {
	sv.stop()
	<-sv.stopped
	sv.alarms.Close()
	sv.reaper.Close()
}

// reloadQuiet is how long the manifest's directory must be still after an edit
// before it is read: an editor's save is a burst of events, and reading it in the
// middle would see half a file.
const reloadQuiet = 30 * time.Millisecond

// removalQuiet is how long the manifest must not have changed before an edit
// that lacks a module's block removes the module. A save that comes in pieces (a
// paste into `cat >`, a copy over a slow link) is whole by then: its first piece
// must not stop the modules its last piece keeps. Additions and changes do not
// wait; they cannot lose anything the operator decided.
const removalQuiet = time.Second

// reloadCause is what asked for a reload; it decides what the reload may do.
// The causes are ordered: requests merged while a load runs take the strongest.
type reloadCause int

const (
	byEdit     reloadCause = iota // a save was seen: removals wait until the file is quiet
	bySettled                     // the file has been quiet for removalQuiet: pending removals apply
	byOperator                    // HUP, `r`, svman reload: the whole file applies at once
)

// reload applies a manifest the loader read again (loader.go); an invalid
// manifest changes nothing. It returns the manifest now in force, and whether
// removals are pending (pending is the value before). A reload the operator
// asked for (HUP, `r`, svman reload) always runs and reports, removals included;
// one that an edit triggered is skipped when the file is unchanged, empty or
// missing (those are moments inside a save, not the end of one), and holds its
// removals back until the file has been quiet for removalQuiet (bySettled).
func reload(e *engine.Engine, cur *manifest.Manifest, pending bool, r loaded, console *logmux.Console, alarms *alarm.Sender) (*manifest.Manifest, bool) {
	next, err := r.m, r.err
	if next == nil && err == nil {
		return cur, pending // skipped by loadForReload
	}
	if err != nil {
		var buf bytes.Buffer
		printLoadError(&buf, err, false)
		console.Systemf("reload: %s is not valid; keeping the running configuration", cur.Path)
		console.Systemf("%s", strings.TrimRight(buf.String(), "\n"))
		return cur, pending
	}
	if r.cause == byEdit && next.Digest == cur.Digest {
		return cur, pending
	}
	apply := engine.ApplyOptions{
		HoldRemovals: r.cause == byEdit,
		// The plan is printed before any of it is carried out, so it precedes the
		// events it announces.
		Announce: func(p engine.Plan) { console.Systemf("reload: %s", p) },
	}
	plan, err := e.ApplyWith(next, apply)
	if err != nil && !plan.Changes() {
		console.Systemf("reload: %v", err)
		return cur, pending
	}
	if err != nil {
		console.Systemf("reload: %v", err)
	}
	alarms.SetSMTP(alarmSMTP(next.SMTP))
	return next, len(plan.Pending) > 0
}

// alarmSMTP is the manifest's smtp block as the alarm sender takes it.
func alarmSMTP(c manifest.SMTP) alarm.SMTP {
	return alarm.SMTP{Host: c.Host, Port: c.Port, From: c.From, Username: c.Username, Password: c.Password, StartTLS: c.StartTLS}
}

func signalName(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		return manifest.SignalName(s)
	}
	return sig.String()
}
