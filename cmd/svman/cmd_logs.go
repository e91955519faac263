package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"svman/logfiles"
	"svman/logmux"
)

var logsCommand = &command{
	name:    "logs",
	args:    "[MODULE...]",
	summary: "show the modules' logged output, merged in time order; --follow for what comes",
	help: `Reads the log files svman keeps for each module (status_dir/NAME/__stdout and
__stderr, with their rotated predecessors) and prints their lines merged in time
order, exactly as 'svman up' shows them: "15:04:05 web    | line" (stderr lines
use '!'). Every module of the manifest, or only those named. svman need not run.

--follow (-F) then prints the new lines as they are written, through rotations and
restarts, and for modules that have written nothing yet, until interrupted.
-n N prints only the last N lines (with --follow, -n 0 prints only new ones).
--since takes a duration back from now (10m, 2h) or a time (2026-11-24T15:04:05+01:00,
2026-11-24T15:04:05 or 2026-11-24, local time).
--json prints NDJSON instead: one object per line, {"ts", "module", "stream", "pid",
"line"}, the same from a text log file as from a JSON one (a line that is not UTF-8
is in "line_b64", base64, a JSON object kept by parse = "json" in "json").`,
	flags: func(fs *flag.FlagSet) { logsFlags(fs) },
	run:   runLogs,
}

// countFlag is -n: unset means every line.
type countFlag struct {
	n   int
	set bool
}

func (c *countFlag) String() string {
	if !c.set {
		return ""
	}
	return strconv.Itoa(c.n)
}

func (c *countFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("want a number of lines, 0 or more")
	}
	c.n, c.set = n, true
	return nil
}

// sinceFlag is --since: a duration back from now, or a time.
type sinceFlag struct{ t time.Time }

func (s *sinceFlag) String() string {
	if s.t.IsZero() {
		return ""
	}
	return s.t.Format(time.RFC3339)
}

func (s *sinceFlag) Set(v string) error {
	t, err := parseSince(v, time.Now())
	s.t = t
	return err
}

// parseSince reads a duration back from now, an RFC 3339 time, or a local date and time.
func parseSince(v string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("want a duration back from now, like 10m, not %s", v)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("want a duration (10m, 2h) or a time (2006-01-02T15:04:05+01:00, 2006-01-02T15:04:05, 2006-01-02)")
}

// logsFlags declares svman logs' flags on fs and returns their values: the
// command table lists them from it, and runLogs parses them.
func logsFlags(fs *flag.FlagSet) (tf targetFlags, color *colorFlag, follow *bool, count *countFlag, since *sinceFlag, asJSON *bool) {
	tf, color = addTargetFlags(fs), addColorFlag(fs)
	follow, count, since = new(bool), new(countFlag), new(sinceFlag)
	asJSON = fs.Bool("json", false, "print NDJSON: one object per line, whether the log file is text or JSON")
	fs.BoolVar(follow, "follow", false, "then print the new lines as they are written, until interrupted")
	fs.BoolVar(follow, "F", false, "short for --follow")
	fs.Var(count, "n", "print only the last `N` lines (default: all)")
	fs.Var(since, "since", "print only the lines since `WHEN`: a duration back from now (10m) or a time (RFC 3339)")
	return tf, color, follow, count, since, asJSON
}

func runLogs(ctx context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	tf, color, follow, count, since, asJSON := logsFlags(fs)
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if *asJSON && *color == "always" {
		fmt.Fprintf(stderr, "svman logs: --json and --color=always contradict each other: JSON is never colored\n")
		return exitUsage
	}
	targets, ok := tf.resolve(fs.Args(), stderr)
	if !ok {
		return exitFailure
	}

	useColor := color.enabled(stdout)
	console := logmux.NewConsole(stdout, logmux.Options{
		Color:      useColor,
		Timestamps: true,
		StripANSI:  !useColor, // as svman up: a child's colors are for a terminal
		Escape:     terminalText(stdout, useColor),
	})
	srcs := make([]logfiles.Source, len(targets))
	for i, t := range targets {
		console.Add(t.name) // the padding of every module from the first line
		srcs[i] = logfiles.Source{Module: t.name, Dir: t.dir}
	}
	o := logfiles.Options{Since: since.t, Follow: *follow}
	if count.set {
		o.Tail = count.n
		if count.n == 0 {
			o.Tail = -1
		}
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var piece []byte
	emit := func(l logfiles.Line) {
		if l.Cut { // shown as a cut piece is on the console
			piece = append(append(piece[:0], l.Text...), logmux.CutMarker...)
			l.Text = piece
		}
		console.LineAt(l.Time, l.Module, l.Stream, l.Text)
	}
	var out *bufio.Writer
	if *asJSON {
		out = bufio.NewWriterSize(stdout, 64<<10)
		var rec []byte
		emit = func(l logfiles.Line) {
			rec = l.AppendRecord(rec[:0])
			_, _ = out.Write(rec)
			if *follow {
				_ = out.Flush() // a follower sees each line as it comes
			}
		}
	}
	err := logfiles.Read(ctx, srcs, o, emit)
	if out != nil {
		_ = out.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "svman logs: %v\n", err)
		return exitFailure
	}
	return exitOK
}
