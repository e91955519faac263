package probe

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"svman/internal/proc"
	"svman/logmux"
)

const (
	// maxQuote is how much of an exec probe's first line of output its failure
	// quotes.
	maxQuote = 200
	// drainWithin is how long, after an exec probe's exit, its output may take
	// to reach end of file before its pipes are closed anyway (a process that
	// left its group may hold them).
	drainWithin = 100 * time.Millisecond
)

// execAttempt runs argv through sys and waits for its exit, or kills its
// process group when ctx is done and waits for its exit all the same.
func execAttempt(ctx context.Context, sys Starter, argv []string, t Target, timeout time.Duration) error {
	name := command(argv)
	if ctx.Err() != nil { // nothing to fork for
		return fmt.Errorf("%s: %w", name, ended(ctx, timeout))
	}
	var first firstLine
	c, err := sys.Start(proc.Spec{Dir: t.Dir, Argv: argv, Env: t.Env, User: t.User, Group: t.Group}, first.output())
	if err != nil {
		return err // it names the program or directory that is missing
	}
	var st proc.ExitStatus
	var stopped error
	select {
	case st = <-c.Exited:
	case <-ctx.Done():
		stopped = ended(ctx, timeout)
		sys.SignalGroup(c.PID, syscall.SIGKILL)
		st = <-c.Exited
	}
	// What the leader left in its group goes with it: a probe leaves nothing
	// running. While any of the group is left its id cannot be reused; once
	// none is, the id would have to be handed out again within microseconds.
	sys.SignalGroup(c.PID, syscall.SIGKILL)
	if c.Pipes != nil {
		proc.Drain([]*proc.Pipes{c.Pipes}, drainWithin)
	}
	switch {
	case stopped != nil:
		return fmt.Errorf("%s: %w", name, stopped)
	case st.Success():
		return nil
	}
	msg := name + " " + st.String()
	if st.Signal != 0 {
		msg = name + " was " + st.String()
	}
	if line := first.String(); line != "" {
		msg += ": " + line
	}
	return errors.New(msg)
}

// command is argv as a failure names it: its words joined by spaces, a word
// that is empty or holds a space or a control character quoted.
func command(argv []string) string {
	words := make([]string, len(argv))
	for i, w := range argv {
		if w == "" || strings.ContainsFunc(w, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '"' }) {
			w = strconv.Quote(w)
		}
		words[i] = w
	}
	return strings.Join(words, " ")
}

// firstLine keeps the first non-empty line an exec probe writes, on stdout or
// stderr, cut at maxQuote bytes; the rest of its output is dropped.
type firstLine struct {
	mu   sync.Mutex // the two streams are read by different goroutines
	line string
}

func (f *firstLine) output() proc.Output {
	sink := proc.Sink{Emit: f.emit, Flush: func() {}}
	return proc.Output{Streams: [2]proc.Sink{sink, sink}}
}

func (f *firstLine) emit(piece []byte, _ logmux.End) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.line != "" {
		return
	}
	if len(piece) > maxQuote {
		piece = piece[:maxQuote]
	}
	f.line = strings.TrimSpace(printable(piece))
}

func (f *firstLine) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.line
}

// printable is b as valid UTF-8 with its control characters (a terminal's
// escape sequences among them) replaced by spaces: a status line and an alarm
// show it.
func printable(b []byte) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(string(b), "\uFFFD"))
}
