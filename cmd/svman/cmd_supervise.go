package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"svman/engine"
	"svman/logmux"
	"svman/statusfs"
)

// superviseName is the name under which the binary behaves as the legacy
// supervise (through `ln -s svman supervise`): its arguments are then
// supervise's. It is the verb's name too (svman supervise).
const superviseName = "supervise"

// Exit codes of the legacy supervise, kept by `svman supervise`.
const (
	exitLegacyUsage  = 100 // bad arguments or status directory
	exitLegacyMkdir  = 110 // the status directory cannot be created
	exitLegacyLocked = 111 // another supervisor holds the status directory
)

// legacyVersion is what the legacy supervise's -v printed.
const legacyVersion = "v 1.0.0"

// defaultConf is the legacy tool's config file, in the current directory.
const defaultConf = "supervise.conf"

// superviseCommand is the verb; its command line is the legacy one, as through
// the symlink, so its run is runSupervise.
var superviseCommand = &command{
	name:    superviseName,
	summary: "drop-in for the legacy supervise: supervise one command in the background",
	help: `Runs COMMAND under the svman engine exactly where the legacy Baidu-style supervise
would: STATUS_DIR (which must contain "status/NAME") gets the same lock, control, ok,
status and supervise.log files, so 'echo d > STATUS_DIR/control', 'od ... status',
'fuser lock' and svman status/ctl --status-dir all work. Installed as 'supervise'
(ln -s svman supervise), the binary takes these arguments directly.

  -p DIR        the status directory; NAME (what follows "status/") is the module
  -f "CMD"      the command, split on blanks (no shell, no quoting)
  -u DIR CMD..  like -p, and the remaining arguments are the command, unsplit
  -F PATH       alarm settings from this supervise.conf (default ./supervise.conf):
                section [NAME], alarm_interval, max_tries, alarm_mail, ...; 'r' re-reads it
  -r SH         run "SH COUNT" through /bin/sh after every exit, before the restart
                (COUNT: exits so far); supervise.conf is then not read
  -t N          with -r: COUNT starts again from 1 after N seconds (without -t it is
                always 1, as with the legacy tool)
  --foreground  stay attached and print the module's output, as svman up does
                (without it, svman detaches at once, like the legacy daemon(1,0))

The module restarts 1 s after each start at the soonest. Exit codes: 0 started (or,
with --foreground, stopped by INT/TERM or 'x'); 100 bad arguments or status
directory; 110 the status directory cannot be created; 111 another supervisor holds
STATUS_DIR/lock ("Unable to acquier STATUS_DIR/lock").`,
	run: func(ctx context.Context, _ *command, args []string, stdout, stderr io.Writer) int {
		return runSupervise(ctx, args, stdout, stderr)
	},
}

// runSupervise is the legacy supervise: the supervise verb's run, and all of
// svman when the binary is invoked as supervise (main).
func runSupervise(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a, err := parseSuperviseArgs(args)
	switch {
	case errors.Is(err, errBadStatusDir):
		fmt.Fprintln(stderr, err)
		return exitLegacyUsage
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n", superviseProg(), err)
		superviseUsage(stderr, superviseProg())
		return exitLegacyUsage
	case a.help:
		superviseUsage(stdout, superviseProg())
		return exitOK
	case a.version:
		fmt.Fprintf(stdout, "%s (svman %s)\n", legacyVersion, version)
		return exitOK
	}
	// The detached copy (see detach) is the foreground supervisor, with its
	// output on /dev/null; the mark is not passed on to the module.
	if os.Getenv(detachedEnv) != "" {
		os.Unsetenv(detachedEnv)
		a.foreground = true
	}
	abs, err := filepath.Abs(a.target.dir)
	if err == nil {
		err = os.MkdirAll(abs, 0o700)
	}
	if err != nil {
		fmt.Fprintf(stderr, "unable to create dir: %s (%v)\n", a.target.dir, err)
		return exitLegacyMkdir
	}
	if !a.foreground {
		return detachSupervise(a, args, abs, stderr)
	}
	return superviseForeground(ctx, a, abs, stdout, stderr)
}

// detachSupervise checks that the status directory can be taken, then starts the
// supervisor detached (see detach) and returns at once, as daemon(1,0) does, so
// that a caller sees "Unable to acquier" and exit 111 from this process.
//
// The lock is released before the detached copy starts (it must take it for
// itself), so another supervisor starting in that window of a few milliseconds
// could win it: the copy then logs the FATAL line in STATUS_DIR/supervise.log.wf
// and exits 111 where nobody sees the code, exactly as the legacy tool, which
// took the lock only after daemon(1,0), always did.
func detachSupervise(a superviseArgs, args []string, abs string, stderr io.Writer) int {
	d, err := statusfs.Open(abs)
	if err != nil {
		return statusDirFailed(a.target, abs, err, stderr)
	}
	d.Close()
	if err := detach(superviseArgv(os.Args[0], args)); err != nil {
		fmt.Fprintf(stderr, "failed to daemonize supervise! (%v)\n", err)
		statusfs.AppendLog(abs, "FATAL", "failed to daemonize supervise: %v", err)
		return exitLegacyLocked
	}
	return exitOK
}

// superviseArgv is the command line that runs the same supervise again: the
// operator's own words, so that ps shows what was typed, as with the legacy tool.
func superviseArgv(argv0 string, args []string) []string {
	argv := []string{argv0}
	if filepath.Base(argv0) != superviseName {
		argv = append(argv, superviseName) // the verb

	}
	return append(argv, args...)
}

// statusDirFailed reports why the status directory cannot be taken, in the
// legacy words when another supervisor holds it.
func statusDirFailed(t superviseTarget, abs string, err error, stderr io.Writer) int {
	var locked *statusfs.LockedError
	if errors.As(err, &locked) {
		msg := "Unable to acquier " + t.dir + "/lock"
		if locked.PID > 0 {
			msg += fmt.Sprintf(" (held by pid %d)", locked.PID)
		}
		fmt.Fprintln(stderr, msg)
		statusfs.AppendLog(abs, "FATAL", "%s", msg)
		return exitLegacyLocked
	}
	fmt.Fprintf(stderr, "%s: %v\n", superviseProg(), err)
	statusfs.AppendLog(abs, "FATAL", "%v", err)
	return exitFailure
}

// superviseForeground is the supervisor itself: one module under the engine.
func superviseForeground(ctx context.Context, a superviseArgs, abs string, stdout, stderr io.Writer) int {
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", superviseProg(), err)
		return exitFailure
	}
	console := logmux.NewConsole(stdout, logmux.Options{Timestamps: true, Buffer: consoleBuffer, StripANSI: true, Escape: terminalText(stdout, false)})
	defer console.Close() // last: everything else may still print
	pol := &supervisePolicy{args: a, statusDir: abs, console: console}
	m := pol.manifest(cwd)

	// Supervision ends when the module is released (`x`) or given up on.
	sv, err := startSupervision(ctx, m, console, func(ev engine.Event) bool {
		if ev.Kind == engine.GaveUp {
			statusfs.AppendLog(abs, "NOTICE", "supervise refused to restart %s any more and exited itself!", a.target.section)
		}
		return ev.Kind == engine.GaveUp || ev.Kind == engine.Released
	})
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", superviseProg(), err)
		statusfs.AppendLog(abs, "FATAL", "%v", err) // as every other failure to start
		return exitFailure
	}
	defer sv.close()
	if _, err := sv.engine.Apply(m); err != nil {
		return statusDirFailed(a.target, abs, err, stderr)
	}
	name := m.Modules[0].Name
	console.Systemf("supervising %s (%s) in %s, status in %s", name, strings.Join(m.Modules[0].Command, " "), cwd, abs)

	sv.run(lifecycle{
		// The legacy tool ignores SIGHUP (startSupervision catches it, which
		// leaves the module's own HUP at its default).
		hangup: func() {
			console.Systemf("SIGHUP ignored (as the legacy supervise does): write r to %s/control to re-read %s", a.target.dir, pol.confPath())
		},
		stopping: func(sig string) {
			console.Systemf("%s: stopping %s (interrupt again to kill it at once)", sig, name)
		},
		killing: func(sig string) { console.Systemf("%s again: killing %s", sig, name) },
		// `r` re-reads supervise.conf.
		reload: func(quit <-chan struct{}) {
			for {
				select {
				case <-sv.reloads:
					if next := pol.reload(m, cwd); next != m {
						if _, err := sv.engine.Apply(next); err != nil {
							console.Systemf("reload: %v", err)
							statusfs.AppendLog(abs, "WARNING", "reload: %v", err)
						} else {
							m = next
						}
					}
				case <-quit:
					return
				}
			}
		},
	})
	console.Systemf("%s is no longer supervised; bye", name)
	return exitOK
}
