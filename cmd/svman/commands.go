package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit codes of every command.
const (
	exitOK      = 0 // done
	exitFailure = 1 // the command ran and failed (bad manifest, module not supervised, ...)
	exitUsage   = 2 // the command line was wrong
)

// exitCodes says what each exit code means, in a word (svman help) and in a
// sentence (the manual).
var exitCodes = []struct {
	code          int
	word, meaning string
}{
	{exitOK, "ok", "The command did what it was asked."},
	{exitFailure, "failure", "The command ran and failed: an invalid manifest, a module not supervised, ..."},
	{exitUsage, "usage", "The command line was wrong."},
}

// tagline is what svman is: the first line of svman help, and the manual's.
const tagline = "a declarative process manager; one supervise.hcl declares every module."

// helpHint is where svman help points for more.
const helpHint = "Run 'svman help COMMAND' for a command's flags."

// version is set by the Makefile from git describe.
var version = "dev"

// command is one verb of the CLI: its arguments, a one-line summary, a longer
// help, its flags and what it does. Its usage line is made from its flags
// (usageLine).
type command struct {
	name    string
	args    string // what follows the flags in the usage line: "[MODULE...]"
	summary string
	help    string
	// flags declares the command's flags on fs: run declares its own with the
	// same function, and help, completion and the man page list them from
	// here without running the command. nil for a command without flags and
	// for supervise, which parses the legacy command line itself.
	flags func(fs *flag.FlagSet)
	// run does the verb: args are the words after its name, c is the command
	// itself (for its flag set and usage line). It returns the exit code.
	run func(ctx context.Context, c *command, args []string, stdout, stderr io.Writer) int
}

// commandTable is every verb of svman, in the order help lists them. Each is
// declared, with its run function, in its cmd_NAME.go.
var commandTable []*command

// The table is filled in here rather than where it is declared because help's
// run lists it: declared with help in it, help would refer to itself (an
// initialisation cycle).
func init() {
	commandTable = []*command{upCommand, statusCommand, topCommand, waitCommand, logsCommand, ctlCommand, runCommand, probeCommand, alarmCommand, scaleCommand, reloadCommand, diffCommand, checkCommand, importCommand, exportCommand, superviseCommand, completionCommand, versionCommand, helpCommand}
}

// commands returns the command table.
func commands() []*command { return commandTable }

func findCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// run is svman as a function of its arguments, so tests can call it in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		printUsage(stdout)
		return exitOK
	case "-v", "-version", "--version":
		fmt.Fprintf(stdout, "svman %s\n", version)
		return exitOK
	}
	c := findCommand(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "svman: unknown command %q\n", args[0])
		printUsage(stderr)
		return exitUsage
	}
	return c.run(ctx, c, args[1:], stdout, stderr)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "svman: "+tagline)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: svman COMMAND [ARGS]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintln(w)
	var codes []string
	for _, e := range exitCodes {
		codes = append(codes, fmt.Sprintf("%d %s", e.code, e.word))
	}
	fmt.Fprintf(w, "%s Exit codes: %s.\n", helpHint, strings.Join(codes, ", "))
}

// newFlags returns a FlagSet for c that reports errors as usage errors on stderr.
func newFlags(c *command, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("svman "+c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\n%s\n", usageLine(c, fs), strings.TrimSpace(c.help))
		if hasFlags(fs) {
			fmt.Fprintln(stderr, "\nFlags:")
			printFlags(stderr, fs)
		}
	}
	return fs
}

// declaredFlags is c's flag set as its run declares it (command.flags), with
// usage and errors going to w; nil for supervise, whose command line is the
// legacy one.
func declaredFlags(c *command, w io.Writer) *flag.FlagSet {
	if c == superviseCommand {
		return nil
	}
	fs := newFlags(c, w)
	if c.flags != nil {
		c.flags(fs)
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parseFlags parses args and turns a flag error into the usage exit code; -h asks
// for help and exits 0.
func parseFlags(fs *flag.FlagSet, args []string) (ok bool, code int) {
	switch err := fs.Parse(args); {
	case err == flag.ErrHelp:
		return false, exitOK
	case err != nil:
		return false, exitUsage
	}
	return true, exitOK
}

// parseNoArgs is parseFlags for commands that take no positional argument.
func parseNoArgs(fs *flag.FlagSet, args []string) (ok bool, code int) {
	if ok, code := parseFlags(fs, args); !ok {
		return ok, code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q (the manifest is given with -f FILE)\n", fs.Name(), fs.Arg(0))
		return false, exitUsage
	}
	return true, exitOK
}
