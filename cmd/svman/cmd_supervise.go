package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"svman/engine"
	"svman/legacy"
	"svman/logmux"
	"svman/manifest"
	"svman/statusfs"
)

// superviseName is the name under which the binary behaves as the legacy
// supervise (through `ln -s svman supervise`): its arguments are then supervise's.
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

var superviseCommand = &command{
	name:    "supervise",
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
}

func init() { superviseCommand.run = runSupervise }

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
		appendLegacyLog(abs, "FATAL", "failed to daemonize supervise: %v", err)
		return exitLegacyLocked
	}
	return exitOK
}

// superviseArgv is the command line that runs the same supervise again: the
// operator's own words, so that ps shows what was typed, as with the legacy tool.
func superviseArgv(argv0 string, args []string) []string {
	argv := []string{argv0}
	if filepath.Base(argv0) != superviseName {
		argv = append(argv, superviseCommand.name)
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
		appendLegacyLog(abs, "FATAL", "%s", msg)
		return exitLegacyLocked
	}
	fmt.Fprintf(stderr, "%s: %v\n", superviseProg(), err)
	appendLegacyLog(abs, "FATAL", "%v", err)
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

	// The legacy tool ignores SIGHUP; catching it (rather than SIG_IGN, which
	// children would inherit) leaves the module's own HUP at its default.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

	// Supervision ends when the module is released (`x`) or given up on.
	done := make(chan struct{}, 1)
	sv, err := startSupervision(ctx, m, console, func(ev engine.Event) {
		switch ev.Kind {
		case engine.GaveUp:
			appendLegacyLog(abs, "NOTICE", "supervise refused to restart %s any more and exited itself!", a.target.section)
		case engine.Released:
		default:
			return
		}
		select {
		case done <- struct{}{}:
		default:
		}
	})
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", superviseProg(), err)
		return exitFailure
	}
	defer sv.close()
	if _, err := sv.engine.Apply(m); err != nil {
		return statusDirFailed(a.target, abs, err, stderr)
	}
	console.Systemf("supervising %s (%s) in %s, status in %s", m.Modules[0].Name, strings.Join(m.Modules[0].Command, " "), cwd, abs)

	interrupted := false
	for {
		select {
		case sig := <-sigs:
			switch {
			case sig == syscall.SIGHUP:
				console.Systemf("SIGHUP ignored (as the legacy supervise does): write r to %s/control to re-read %s", a.target.dir, pol.confPath())
			case !interrupted:
				interrupted = true
				console.Systemf("%s: stopping %s (interrupt again to kill it at once)", signalName(sig), m.Modules[0].Name)
				sv.stop()
			default:
				console.Systemf("%s again: killing %s", signalName(sig), m.Modules[0].Name)
				sv.engine.Kill()
			}
		case <-sv.reloads:
			if next := pol.reload(m, cwd); next != m {
				if _, err := sv.engine.Apply(next); err != nil {
					console.Systemf("reload: %v", err)
					appendLegacyLog(abs, "WARNING", "reload: %v", err)
				} else {
					m = next
				}
			}
		case <-done:
			sv.stop()
		case <-ctx.Done():
			sv.stop()
		case <-sv.stopped:
			console.Systemf("%s is no longer supervised; bye", m.Modules[0].Name)
			return exitOK
		}
	}
}

// supervisePolicy turns the command line and supervise.conf into the manifest of
// the one module, and re-reads the file on `r`.
type supervisePolicy struct {
	args      superviseArgs
	statusDir string // absolute: the module's status directory
	console   *logmux.Console
	alarm     manifest.Alarm // in force
	gsm       []string       // the alarm_gsm numbers last warned about
}

func (p *supervisePolicy) confPath() string {
	if p.args.conf != "" {
		return p.args.conf
	}
	return defaultConf
}

// note writes a line to the module's legacy logs and to the console.
func (p *supervisePolicy) note(level, format string, args ...any) {
	appendLegacyLog(p.statusDir, level, format, args...)
	p.console.Systemf(format, args...)
}

// manifest builds the one-module manifest for the first start: with -r the hook
// and -t window, otherwise the alarm policy of supervise.conf.
func (p *supervisePolicy) manifest(cwd string) *manifest.Manifest {
	var onExit []string
	switch {
	case p.args.restartSh != "":
		// `system("SH COUNT")`: the engine appends the count, which the shell
		// passes on as $1.
		onExit = []string{"/bin/sh", "-c", p.args.restartSh + ` "$1"`, "sh"}
		p.alarm = hookAlarm(p.args.timeLimit)
	default:
		if al, ok := p.load(); ok {
			p.alarm = al
		} else {
			p.note("WARNING", "no alarms and no try limits until %s can be read (then write r to %s/control)", p.confPath(), p.args.target.dir)
			p.alarm = manifest.Alarm{} // interval 0: alarms and limits off
		}
	}
	mod := manifest.Module{
		Name:        p.args.target.name,
		Command:     slices.Clone(p.args.command),
		Dir:         cwd,
		Autostart:   true,
		StopSignal:  syscall.SIGTERM,
		StopTimeout: 10 * time.Second,
		// The legacy tool waits 1 s after every start, and never backs off further.
		Restart: manifest.Restart{
			Policy:    manifest.RestartAlways,
			Delay:     time.Second,
			MaxDelay:  time.Second,
			MinUptime: time.Second,
			ExitCodes: []int{0},
		},
		Alarm:  p.alarm,
		OnExit: onExit,
		Log:    manifest.Log{Timestamps: true, MaxSize: 50_000_000, Keep: 10},
	}
	path := ""
	if p.args.restartSh == "" {
		path, _ = filepath.Abs(p.confPath())
	}
	return &manifest.Manifest{
		Path:      path,
		StatusDir: filepath.Dir(p.statusDir),
		Modules:   []manifest.Module{mod},
		SMTP:      manifest.SMTP{Host: "127.0.0.1", Port: 25, From: defaultMailFrom()},
	}
}

// reload re-reads supervise.conf on `r` and returns the manifest with its new
// alarm policy, or m itself when nothing changes (-r given, or the file cannot
// be read: the old values stay, as with the legacy tool).
func (p *supervisePolicy) reload(m *manifest.Manifest, cwd string) *manifest.Manifest {
	if p.args.restartSh != "" {
		p.note("NOTICE", "r: supervise.conf is not read when -r is given")
		return m
	}
	al, ok := p.load()
	if !ok {
		return m
	}
	p.alarm = al
	next := *m
	next.Modules = slices.Clone(m.Modules)
	next.Modules[0].Alarm = al
	return &next
}

// hookAlarm is the alarm window of -r: the count of exits passed to the hook
// starts again at 1 when timeLimit seconds have passed since the window's first
// exit. Without -t the legacy tool passes 1 every time: a window of 1 ns does.
// Nothing is sent (no channels) and nothing is limited.
func hookAlarm(timeLimit int) manifest.Alarm {
	if timeLimit > 0 {
		return manifest.Alarm{Interval: time.Duration(timeLimit) * time.Second}
	}
	return manifest.Alarm{Interval: time.Nanosecond}
}

// load reads supervise.conf and returns the module's alarm policy; ok is false
// when the file cannot be read (a warning says so).
func (p *supervisePolicy) load() (manifest.Alarm, bool) {
	path := p.confPath()
	conf, probs, err := legacy.LoadConf(path)
	if err != nil {
		p.note("WARNING", "Cannot open config file %s (%v). Old configurations unchanged.", path, err)
		return manifest.Alarm{}, false
	}
	for _, pr := range probs {
		p.note("WARNING", "%s:%d: %s", path, pr.Line, pr.Reason)
	}
	pol := conf.Policy(p.args.target.section)
	var mails []string
	for _, addr := range pol.Mail {
		if _, err := mail.ParseAddress(addr); err != nil {
			p.note("WARNING", "%s: alarm_mail %q is not a mail address svman can send to: ignored", path, addr)
			continue
		}
		mails = append(mails, addr)
	}
	if len(pol.GSM) > 0 && !slices.Equal(pol.GSM, p.gsm) {
		p.note("WARNING", "%s: alarm_gsm %s: not sent, svman has no SMS gateway (the legacy gsmsend-script); use alarm_mail", path, strings.Join(pol.GSM, " "))
	}
	p.gsm = pol.GSM
	p.note("NOTICE", "Finished loading configurations from %s [%s]: alarm_interval %s, max_tries %d, max_tries_if_coredumped %d, alarm_mail %s",
		path, p.args.target.section, pol.AlarmInterval, pol.MaxTries, pol.MaxTriesIfCoredumped, strings.Join(mails, " "))
	if len(mails) == 0 {
		mails = nil
	}
	return manifest.Alarm{
		Interval:             pol.AlarmInterval,
		MaxTries:             pol.MaxTries,
		MaxTriesIfCoredumped: pol.MaxTriesIfCoredumped,
		Mail:                 mails,
	}, true
}

// defaultMailFrom is the manifest's default smtp from: svman@ the host's name,
// or svman@localhost when that does not make a valid address.
func defaultMailFrom() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		if _, err := mail.ParseAddress("svman@" + h); err == nil {
			return "svman@" + h
		}
	}
	return "svman@localhost"
}

// appendLegacyLog appends "[LEVEL] YYYY-MM-DD HH:MM:SS message" to the status
// directory's supervise.log (NOTICE) or supervise.log.wf (WARNING, FATAL), for
// what supervise says outside the engine (which logs its own events), through
// statusfs, which owns the format and never follows a link there. Failures
// are ignored: logging never stops supervision.
func appendLegacyLog(dir, level, format string, args ...any) {
	statusfs.AppendLog(dir, level, format, args...)
}
