package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"svman/internal/modview"
	"svman/statusfs"
)

var ctlCommand = &command{
	name:    "ctl",
	args:    "MODULE... COMMAND",
	summary: "send a control command to modules (up, down, kill, ...)",
	help: `Writes COMMAND to each module's control FIFO, exactly like the legacy
'echo d > status/NAME/control'. COMMAND is a word or its letter:

  up u       want up: start it, restart it whenever it exits
  down d     want down: stop it (stop_signal to its group, SIGKILL after stop_timeout)
  once o     start it if down; do not restart it
  kill k     send SIGKILL (it is restarted per its policy: a hard restart)
  term t     send SIGTERM         int i    send SIGINT
  hup h      send SIGHUP          alrm a   send SIGALRM
  pause p    SIGSTOP its group    cont c   SIGCONT its group
  exit x     stop supervising it once it is down ('dx' to stop it first); it is
             then released: 'up' or 'once' asks svman to take it back
  silence s  alarms off           notify n alarms on
  reload r   read the manifest again and apply what changed

Letters can be combined ("dx"). With a manifest, down says what becomes of the
module's dependents (depends_on): those with on_dependency_restart = "restart"
stop with it, before it; those with "ignore" that run keep running without it.

Fails at once, without waiting, when no svman supervises a module. While the
manifest is invalid, its diagnostics are printed as a warning and the modules
are looked up under its status_dir.`,
	flags: func(fs *flag.FlagSet) { addTargetFlags(fs) },
	run:   runCtl,
}

// parseControl turns a word or a run of letters (statusfs.ControlLetters) into
// control bytes.
func parseControl(s string) ([]byte, error) {
	if c, ok := statusfs.ControlWord(s); ok {
		return []byte{byte(c)}, nil
	}
	for i := 0; i < len(s); i++ {
		if !statusfs.IsControl(s[i]) {
			return nil, fmt.Errorf("unknown control command %q: use a word (%s) or letters from %q", s, strings.Join(statusfs.ControlNames(), ", "), statusfs.ControlLetters)
		}
	}
	if s == "" {
		return nil, errors.New("empty control command")
	}
	return []byte(s), nil
}

func runCtl(_ context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	tf := addTargetFlags(fs)
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() < 2 {
		fmt.Fprintf(stderr, "Usage: %s\n", usageLine(c, fs))
		return exitUsage
	}
	rest := fs.Args()
	cmds, err := parseControl(rest[len(rest)-1])
	if err != nil {
		fmt.Fprintf(stderr, "svman ctl: %v\n", err)
		return exitUsage
	}
	targets, m, ok := tf.resolveManifest(rest[:len(rest)-1], stderr)
	if !ok {
		return exitFailure
	}
	code := exitOK
	for _, t := range targets {
		if released(t.dir) && !statusfs.TakesBack(cmds) {
			fmt.Fprintf(stderr, "svman ctl: %s is released (x): svman no longer supervises it; 'svman ctl %s up' (or once) takes it back\n", t.name, t.name)
			code = exitFailure
			continue
		}
		if err := statusfs.SendControl(t.dir, cmds); err != nil {
			if errors.Is(err, statusfs.ErrNotSupervised) {
				fmt.Fprintf(stderr, "svman ctl: %s is not supervised: no svman holds %s (start it with 'svman up')\n", t.name, t.dir)
			} else {
				fmt.Fprintf(stderr, "svman ctl: %s: %v\n", t.name, err)
			}
			code = exitFailure
			continue
		}
		fmt.Fprintf(stdout, "%s: sent %s\n", t.name, cmds)
		if m != nil && wantsDown(cmds) {
			for _, note := range downNotes(m, t.name, runningIn(m)) {
				fmt.Fprintln(stdout, note)
			}
		}
	}
	return code
}

// wantsDown reports whether cmds leave a module wanted down: a d not followed
// by a u or an o.
func wantsDown(cmds []byte) bool {
	return bytes.LastIndexByte(cmds, byte(statusfs.CtlDown)) > max(bytes.LastIndexByte(cmds, byte(statusfs.CtlUp)), bytes.LastIndexByte(cmds, byte(statusfs.CtlOnce)))
}

// released reports whether a svman released the module at dir with `x` and
// listens for the `u` or `o` that takes it back.
func released(dir string) bool { return modview.IsReleased(dir) }
