package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"svman/alarm"
	"svman/engine"
	"svman/internal/proc"
)

var alarmCommand = &command{
	name:    "alarm",
	args:    "MODULE",
	summary: "send one alarm for a module through its alarm channels",
	help: `Sends one alarm for MODULE (a module, or an instance: web.1) through the
channels of its alarm block, as svman up sends one: mail through the manifest's
smtp block, the webhook, the exec hook (run in the module's dir, with the facts
in its SVMAN_* environment). It waits until every delivery has ended, each
within 10s, and prints each failed one on stderr with its reason.

The facts are the event (--event, gave_up unless said), how the process ended
(--exit-code, or --signal and --coredumped) and the message (--message; the
legacy alarm text unless said). With --systemd they are read from what systemd
(251 or later) gives a unit that a service's OnFailure= starts:
MONITOR_SERVICE_RESULT gives the event (start-limit-hit: gave_up; watchdog:
unhealthy; timeout: not_ready; any other: exited), MONITOR_EXIT_CODE (exited,
killed or dumped) and MONITOR_EXIT_STATUS (the exit code, or the signal) how
the process ended, and the message names MONITOR_UNIT and the result; a
variable systemd did not set leaves its fact empty (the event gave_up), and a
flag given too wins over it. The units svman export systemd makes call it so,
from OnFailure=; by hand, it tests a module's channels:
svman alarm --event exited web.

It counts nothing: interval, max_tries and a silence ('svman ctl web silence')
are svman up's, and the caller decides when an alarm is due.

Exits 0 when every channel delivered the alarm; 1 when one did not, when the
module's alarm block has no channel, or when the module is not in the
manifest; 2 when the command line is wrong.`,
	flags: func(fs *flag.FlagSet) { alarmFlags(fs) },
	run:   runAlarm,
}

// alarmOptions are svman alarm's flags.
type alarmOptions struct {
	file       *string
	event      *choiceValue
	exitCode   *int
	signal     *string
	coredumped *bool
	message    *string
	systemd    *bool
}

// alarmFlags declares svman alarm's flags on fs and returns their values.
func alarmFlags(fs *flag.FlagSet) alarmOptions {
	o := alarmOptions{file: manifestFlag(fs), event: &choiceValue{value: alarm.GaveUp, words: alarm.Events()}}
	fs.Var(o.event, "event", "what the alarm is about: `EVENT` is "+strings.Join(alarm.Events(), ", ")+" (default gave_up, or with --systemd from MONITOR_SERVICE_RESULT)")
	o.exitCode = fs.Int("exit-code", -1, "the exit code `N` the module's process exited with (the default, -1, says it did not exit by itself)")
	o.signal = fs.String("signal", "", "the signal `SIG` that killed the module's process: TERM, SIGSEGV, 11, ...")
	o.coredumped = fs.Bool("coredumped", false, "the process killed by --signal dumped core")
	o.message = fs.String("message", "", "the `TEXT` of the alarm, in place of the event's legacy one (2006-01-02 15:04:05 [Alarm: HOST] Service NAME exited!, for exited)")
	o.systemd = fs.Bool("systemd", false, "read the facts from the MONITOR_* variables systemd gives an OnFailure= unit")
	return o
}

func runAlarm(_ context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	o := alarmFlags(fs)
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "svman alarm: name one module: svman alarm [FLAGS] MODULE")
		return exitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	f, err := o.facts(fs.Arg(0), set, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "svman alarm: %v\n", err)
		return exitUsage
	}
	m, ok := loadManifest(*o.file, stderr, false)
	if !ok {
		return exitFailure
	}
	mod, err := namedModule(m, fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "svman alarm: %v\n", err)
		return exitFailure
	}
	ch := engine.AlarmChannels(mod)
	if len(ch.Names()) == 0 {
		fmt.Fprintf(stderr, "svman alarm: %s has no alarm channel: the alarm block of module %q in %s names no mail, webhook or exec; add one (webhook = \"https://...\") to send its alarms\n",
			mod.Name, mod.Block(), m.Path)
		return exitFailure
	}
	failed := sendAlarm(alarmSMTP(m.SMTP), ch, f)
	for _, name := range ch.Names() {
		// The words of svman up's log for a failed delivery.
		if err, ok := failed[name]; ok {
			fmt.Fprintf(stderr, "svman alarm: %s: alarm by %s not delivered: %v\n", mod.Name, name, err)
		} else {
			fmt.Fprintf(stdout, "%s: %s alarm delivered by %s\n", mod.Name, f.Event, ch.Describe(name))
		}
	}
	if len(failed) > 0 {
		return exitFailure
	}
	return exitOK
}

// sendAlarm delivers f through ch as svman up does (alarm.Sender, each
// delivery within alarm.DefaultTimeout, the exec hook forked and reaped by a
// proc.Reaper), waits until every delivery has ended, and returns the error
// of each that failed, by channel name.
func sendAlarm(smtp alarm.SMTP, ch alarm.Channels, f alarm.Facts) map[string]error {
	r := proc.NewReaper()
	defer r.Close() // after the sender's Close: every hook has been reaped
	var mu sync.Mutex
	failed := map[string]error{}
	s := alarm.NewSender(alarm.Config{
		SMTP: smtp,
		Run:  r.Run,
		Failed: func(_, channel string, err error) {
			mu.Lock()
			defer mu.Unlock()
			failed[channel] = err
		},
	})
	s.Send(ch, f)
	s.Close()
	mu.Lock()
	defer mu.Unlock()
	return failed
}

// facts are the facts of the alarm svman alarm sends for module: from the
// environment (getenv) with --systemd, then from each flag given (set, by
// name). The message is --message, or the legacy text (alarm.Message)
// followed by what systemd said of the unit, if anything. A contradiction
// between flags, or a value that is no exit code or signal, is an error.
func (o alarmOptions) facts(module string, set map[string]bool, getenv func(string) string) (alarm.Facts, error) {
	f := alarm.Facts{Module: module, Event: o.event.value, ExitCode: -1, Hostname: proc.Hostname(), Time: time.Now()}
	if set["exit-code"] && set["signal"] {
		return f, fmt.Errorf("--exit-code and --signal contradict each other: a process either exits or is killed by a signal")
	}
	if set["coredumped"] && !set["signal"] {
		return f, fmt.Errorf("--coredumped goes with --signal: the signal that killed the process and dumped its core")
	}
	var systemd string // what systemd said of the unit, for the message
	if *o.systemd {
		systemd = systemdFacts(&f, getenv)
		if set["event"] {
			f.Event = o.event.value
		}
	}
	if set["exit-code"] {
		if *o.exitCode < -1 || *o.exitCode > 255 {
			return f, fmt.Errorf("--exit-code %d is not an exit code (0 to 255, or -1 for none)", *o.exitCode)
		}
		f.ExitCode, f.Signal, f.CoreDumped = *o.exitCode, "", false
	}
	if set["signal"] {
		name, ok := signalFact(*o.signal)
		if !ok {
			return f, fmt.Errorf("--signal %q is not a signal: give its name (TERM, SIGSEGV) or its number", *o.signal)
		}
		f.ExitCode, f.Signal, f.CoreDumped = -1, name, *o.coredumped
	}
	if set["message"] {
		f.Message = *o.message
	} else {
		f.Message = alarm.Message(f) + systemd
	}
	return f, nil
}
