package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"svman/manifest"
)

var completionCommand = &command{
	name:    "completion",
	args:    "bash|zsh|fish",
	summary: "print a shell completion script",
	help: `Prints a script that completes svman's commands, their flags, the values of
--color, ctl's control commands and, for the commands that take modules, the names
of the modules of the manifest in the current directory (or the one given with -f
on the command line being completed). Module names are read when TAB is pressed,
so a manifest edited since is seen.

  bash:  source <(svman completion bash)               (in ~/.bashrc)
  zsh:   source <(svman completion zsh)                (in ~/.zshrc, after compinit)
  fish:  svman completion fish > ~/.config/fish/completions/svman.fish`,
	run: runCompletion,
}

// modulesFlag is the hidden flag with which a completion script asks for the
// module names: svman completion --modules [-f FILE].
const modulesFlag = "--modules"

// completionScripts writes each shell's script.
var completionScripts = map[string]func(w io.Writer, specs []completionSpec){
	"bash": writeBashCompletion,
	"zsh":  writeZshCompletion,
	"fish": writeFishCompletion,
}

func runCompletion(_ context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == modulesFlag {
		return printModuleNames(args[1:], stdout)
	}
	fs := declaredFlags(c, stderr)
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	write, ok := completionScripts[fs.Arg(0)]
	if fs.NArg() != 1 || !ok {
		fmt.Fprintf(stderr, "Usage: %s\n", usageLine(c, fs))
		return exitUsage
	}
	write(stdout, completionSpecs())
	return exitOK
}

// printModuleNames prints, one a line, the names by which the commands address
// the modules of the manifest (-f FILE, by default supervise.hcl): every
// module's, and every block's with instances (web for web.0, web.1...). It
// prints nothing and exits 0 when the manifest cannot be loaded: a completion
// then offers no module, and says nothing in the middle of a command line.
func printModuleNames(args []string, stdout io.Writer) int {
	fs := flag.NewFlagSet("svman completion "+modulesFlag, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := manifestFlag(fs)
	if fs.Parse(args) != nil {
		return exitOK
	}
	m, err := manifest.Load(*file)
	if err != nil {
		return exitOK
	}
	for _, name := range moduleNames(m) {
		fmt.Fprintln(stdout, name)
	}
	return exitOK
}
