package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"svman/manifest"
)

// The legacy supervise's command line: its getopt rules, its status directory
// rule and its usage text.

// superviseArgs is the legacy command line, parsed.
type superviseArgs struct {
	target     superviseTarget
	command    []string
	conf       string // -F; "" means ./supervise.conf
	restartSh  string // -r; "" means none
	timeLimit  int    // -t, seconds; 0 means none
	foreground bool
	help       bool
	version    bool
}

// superviseTarget is where the module's status directory is, and its names.
type superviseTarget struct {
	dir     string // as given, trailing slashes and blanks trimmed (the legacy messages use it)
	section string // what follows "status/": the module's section in supervise.conf
	name    string // the module's name in svman: the status directory's base name
}

// errBadStatusDir is the legacy tool's complaint about a status directory.
var errBadStatusDir = errors.New(`bad status_dir: sub-string "status/module_name" is required`)

// parseSuperviseArgs reads the command line by the legacy getopt rules
// ("t:r:f:p:u:F:hv"): an option's value is the rest of its word or the next
// word; -u stops option parsing, and the remaining words (with any earlier
// non-option words, which GNU getopt moves there) are the command. Without -f the
// non-option words are the command, after -p as after -u. --foreground is svman's
// own and may stand anywhere before the command.
func parseSuperviseArgs(args []string) (superviseArgs, error) {
	var a superviseArgs
	var fCommand, rest []string
	haveDir := false
	for i := 0; i < len(args); {
		arg := args[i]
		i++
		switch {
		case arg == "--foreground":
			a.foreground = true
			continue
		case arg == "--":
			rest = append(rest, args[i:]...)
			i = len(args)
			continue
		case len(arg) < 2 || arg[0] != '-':
			rest = append(rest, arg)
			continue
		}
		// Options are single letters; a value is the rest of the word or the next
		// word, so a word holds at most one option that takes a value, and -h and
		// -v end the parsing: only the word's first letter matters.
		c := arg[1]
		switch c {
		case 'h', '?':
			a.help = true
			return a, nil
		case 'v':
			a.version = true
			return a, nil
		case 't', 'r', 'f', 'p', 'u', 'F':
		default:
			return a, fmt.Errorf("invalid option -- '%c'", c)
		}
		val := arg[2:]
		if val == "" {
			if i == len(args) {
				return a, fmt.Errorf("option requires an argument -- '%c'", c)
			}
			val = args[i]
			i++
		}
		switch c {
		case 't':
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if err != nil || n < 0 {
				return a, fmt.Errorf("-t %q: TIME_LIMIT is a whole number of seconds", val)
			}
			a.timeLimit = n
		case 'r':
			a.restartSh = val
		case 'F':
			a.conf = val
		case 'f':
			fCommand = strings.FieldsFunc(val, func(r rune) bool { return r == ' ' || r == '\t' })
		case 'p', 'u':
			t, err := parseStatusDir(val)
			if err != nil {
				return a, err
			}
			a.target, haveDir = t, true
			if c == 'u' {
				rest = append(rest, args[i:]...)
				i = len(args)
			}
		}
	}
	a.command = fCommand
	if len(a.command) == 0 {
		a.command = rest
	}
	switch {
	case !haveDir:
		return a, errors.New("bad arg: no status directory (-p or -u)")
	case len(a.command) == 0:
		return a, errors.New("bad arg: no command (-f, or the words after -u)")
	}
	return a, nil
}

// parseStatusDir applies the legacy rule: the path, trailing slashes and blanks
// trimmed, must contain "status/" followed by a name (the first "status/", as
// the legacy tool's strstr finds it). svman also needs the last component to be
// a valid module name (manifest.ValidName), since the
// status directory is StatusDir/NAME.
func parseStatusDir(s string) (superviseTarget, error) {
	dir := strings.TrimRight(s, "/ \t")
	i := strings.Index(dir, "status/")
	if i < 0 {
		return superviseTarget{}, errBadStatusDir
	}
	section := strings.TrimLeft(dir[i+len("status/"):], "/")
	if section == "" {
		return superviseTarget{}, errBadStatusDir
	}
	name := filepath.Base(filepath.Clean(dir))
	if !manifest.ValidName(name) {
		return superviseTarget{}, fmt.Errorf("%w (svman also needs the directory's last component to be a module name: %s)", errBadStatusDir, manifest.NameProblem(name))
	}
	return superviseTarget{dir: dir, section: section, name: name}, nil
}

// superviseUsage is the legacy usage text, with svman's --foreground.
func superviseUsage(w io.Writer, prog string) {
	fmt.Fprintf(w, "Usage: %s -p STATUS_DIR -f COMMAND_STR [-F CONF_PATH] [-r RESTART_SH] [-t TIME_LIMIT] [--foreground] [-v] [-h]\n", prog)
	fmt.Fprintf(w, "or Usage: %s [-F CONF_PATH] [-r RESTART_SH] [-t TIME_LIMIT] [--foreground] -u STATUS_DIR COMMAND_STR\n", prog)
	fmt.Fprintf(w, "Example: %s -p status/redis -f \" nohup bin/redis-server conf/redis.conf \"\n", prog)
	fmt.Fprintf(w, "or Example: %s -u status/redis bin/redis-server conf/redis.conf\n\n", prog)
	fmt.Fprintln(w, `  -p/-u, the status directory for supervise to write some status files.
  -f, the command string for supervise to start up a program as its child process, usually it is our service.
  -F, the config file path, if not given, supervise will use the default value "supervise.conf"
  -r, while the service exits, supervise will execute the program RESTART_SH before restart the service, and the exiting times be passed to RESTART_SH as the only argument.
  -t, after TIME_LIMIT seconds, the counter for the exiting times will be reset.
  -v, print the version of supervise and exit.
  -h, print the help message and exit.
  --foreground, (svman) do not detach: stay attached and print the module's output.`)
}

// superviseProg is how usage names the program: as it was invoked.
func superviseProg() string {
	if filepath.Base(os.Args[0]) == superviseName {
		return os.Args[0]
	}
	return "svman supervise"
}
