package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"svman/api"
	"svman/apiclient"
	"svman/top"
)

var topCommand = &command{
	name:    "top",
	summary: "a live view of every module: states, usage, logs and controls",
	help: `Shows every module of the running svman in a table that changes as they do (state,
pid, uptime, restarts, last exit, CPU and memory, alarms), and below it the log of the
selected module, following. Keys act on the selected module, or on the modules
marked with space: u up, d down, r restart, K kill, p pause, c continue, s silence,
n alarms on; R reloads the manifest after showing what it would change. Enter shows
the log full screen (/ searches it), a the log of all modules, / filters the table, o
changes the sort, ? lists every key, q quits.

It is a client of the control API (status_dir/.svman.sock): it needs a running svman
up, and the user that may use its socket (svman's user, or root). The states change
with svman's events; the CPU and memory are read once a second. NO_COLOR turns the
colors off; a terminal whose locale is not UTF-8 gets ASCII only.`,
	flags: func(fs *flag.FlagSet) { addTargetFlags(fs) },
	run:   runTop,
}

func runTop(ctx context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	tf := addTargetFlags(fs)
	if ok, code := parseNoArgs(fs, args); !ok {
		return code
	}
	out, ok := stdout.(*os.File)
	if !ok || !isTerminal(out) || !isTerminal(os.Stdin) {
		fmt.Fprintln(stderr, "svman top: it needs a terminal; for a program, use svman status --json, or the control API (status_dir/.svman.sock)")
		return exitUsage
	}
	root, ok := tf.root(stderr)
	if !ok {
		return exitFailure
	}
	sock := filepath.Join(root, api.SocketName)
	client := apiclient.Unix(sock)
	if _, err := client.Modules(ctx); err != nil {
		var e *apiclient.Error
		if errors.As(err, &e) {
			fmt.Fprintf(stderr, "svman top: %s: %v\n", sock, err)
		} else {
			fmt.Fprintf(stderr, "svman top: no svman answers on %s (%v): is svman up running, and may this user use its socket?\n", sock, err)
		}
		return exitFailure
	}
	if err := top.Run(ctx, client, sock, os.Stdin, out); err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	return exitOK
}
