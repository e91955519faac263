package main

import (
	"context"
	"fmt"
	"io"
)

var helpCommand = &command{
	name:    "help",
	args:    "[COMMAND]",
	summary: "show the commands, or one command's usage and flags",
	help:    "With no argument, lists the commands. With one, prints that command's usage and flags.",
	run:     runHelp,
}

var versionCommand = &command{
	name:    "version",
	summary: "print svman's version",
	help:    "Prints svman's version (the same as svman --version).",
	run: func(_ context.Context, _ *command, _ []string, stdout, _ io.Writer) int {
		fmt.Fprintf(stdout, "svman %s\n", version)
		return exitOK
	},
}

func runHelp(ctx context.Context, _ *command, args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 1 && args[0] == manFlag:
		writeManPage(stdout)
		return exitOK
	case len(args) == 0:
		printUsage(stdout)
		return exitOK
	case len(args) == 1:
		c := findCommand(args[0])
		if c == nil {
			fmt.Fprintf(stderr, "svman help: unknown command %q\n", args[0])
			return exitUsage
		}
		fs := declaredFlags(c, stdout)
		if fs == nil { // supervise: the legacy usage
			c.run(ctx, c, []string{"-h"}, stdout, stdout)
			return exitOK
		}
		fs.Usage()
		return exitOK
	}
	fmt.Fprintln(stderr, "Usage: svman help [COMMAND]")
	return exitUsage
}
