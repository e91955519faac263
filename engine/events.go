package engine

import (
	"fmt"
	"strings"
	"syscall"
	"time"

	"svman/internal/proc"
	"svman/manifest"
)

// Kind says what happened to a module.
type Kind int

const (
	Started       Kind = iota // a child was forked and exec'd: PID
	StartFailed               // the child could not be started: Err
	Exited                    // the child ended: PID, Exit, Uptime
	Restarting                // a start is scheduled: Delay; in a crash loop, Tries runs in a row shorter than Uptime
	Stopping                  // a stop began: Signal sent to the group
	Escalated                 // the group outlived stop_timeout: SIGKILL sent
	Stopped                   // the module is down and will stay down
	Signaled                  // a control command sent Signal to the child
	Paused                    // the group was stopped with SIGSTOP
	Continued                 // the group was continued with SIGCONT
	Command                   // a control byte was received: Command
	BadCommand                // a read of the control FIFO had bytes that are no command, ignored: Unknown, UnknownCount
	Reload                    // `r` asked for the manifest to be read again
	Released                  // supervision ended; the status directory is unlocked
	Warning                   // something went wrong that supervision survives: Err
	GaveUp                    // too many exits in one alarm window: Tries, Delay (the window)
	Alarm                     // an alarm was raised: Text, Channels
	AlarmSilenced             // an alarm was not sent: the operator silenced them (`s`)
	Reclaimed                 // a module released with `x` is supervised again (`u` or `o`)
	Killed                    // a second stop request (svman interrupted twice): SIGKILL sent to the group at once
	Waiting                   // a start waits for dependencies: Text says for what
	Ready                     // the module is ready: Text says how (probe, READY=1, ...)
	NotReady                  // the module was not ready within its ready timeout: Delay
	Unhealthy                 // health checks failed: Tries in a row, Err the last failure
	Notified                  // the module sent STATUS= (Text), STOPPING=1 or RELOADING=1 on its notify socket
)

// Event is one thing that happened to one module. The engine hands every event to
// Config.Events as it happens, and records it in the module's supervise.log.
type Event struct {
	Time     time.Time
	Module   string
	Kind     Kind
	PID      int
	Exit     proc.ExitStatus
	Uptime   time.Duration
	Delay    time.Duration
	Signal   syscall.Signal
	Command  byte
	Err      error
	Tries    int      // GaveUp: exits in the window; Restarting: the crash loop's runs
	Text     string   // Alarm, AlarmSilenced: the alarm message
	Channels []string // Alarm: where it goes
	// Stopping (Exited): the exit ended a stop svman made (`d`, a reload, a
	// removal, its shutdown), not an exit nobody asked for.
	Stopping bool
	// Unknown (BadCommand) is the first bytes of a read that are no command, 16
	// at most; UnknownCount is how many the read had.
	Unknown      []byte
	UnknownCount int
	// Quiet: the limit on the lines control bytes cause held this event back:
	// it is in no log file, and a console does not show it; a hook still acts on
	// it. Suppressed is how many such events the limit held back before this one.
	Quiet      bool
	Suppressed int
}

// Warn reports whether the event belongs in supervise.log.wf rather than
// supervise.log: what went wrong, not what anyone asked for. An exit during a
// stop svman made (killed by its stop_signal, or by SIGKILL) is the stop
// working, and a kill on a second stop request is the operator's; but a module
// that outlived stop_timeout ignored its stop_signal (Escalated), which is worth
// a look whoever asked for the stop.
func (e Event) Warn() bool {
	switch e.Kind {
	case StartFailed, BadCommand, Escalated, Warning, GaveUp, Alarm, NotReady, Unhealthy:
		return true
	case Exited:
		return !e.Exit.Success() && !e.Stopping
	}
	return false
}

// String is the event as one line of the console and the supervise logs, without
// time or level: "web started, pid 1234".
func (e Event) String() string {
	if e.Suppressed > 0 {
		return fmt.Sprintf("%s (%d lines about control bytes suppressed before it)", e.line(), e.Suppressed)
	}
	return e.line()
}

// line is String without the count of suppressed lines.
func (e Event) line() string {
	n := e.Module
	switch e.Kind {
	case Started:
		return fmt.Sprintf("%s started, pid %d", n, e.PID)
	case StartFailed:
		return fmt.Sprintf("%s could not start: %v", n, e.Err)
	case Exited:
		return fmt.Sprintf("%s (pid %d) %s after %s", n, e.PID, e.Exit, roundDuration(e.Uptime))
	case Restarting:
		if e.Delay < restartNowBelow {
			return fmt.Sprintf("%s restarting now", n)
		}
		if e.Tries > 0 {
			return fmt.Sprintf("%s restarting in %s (%s)", n, roundDuration(e.Delay), CrashLoopText(e.Tries, e.Uptime))
		}
		return fmt.Sprintf("%s restarting in %s", n, roundDuration(e.Delay))
	case Stopping:
		return fmt.Sprintf("%s stopping: %s sent to process group %d", n, manifest.SignalName(e.Signal), e.PID)
	case Escalated:
		return fmt.Sprintf("%s did not stop within stop_timeout: SIGKILL sent to process group %d", n, e.PID)
	case Stopped:
		return fmt.Sprintf("%s is down", n)
	case Signaled:
		return fmt.Sprintf("%s: %s sent to pid %d", n, manifest.SignalName(e.Signal), e.PID)
	case Paused:
		return fmt.Sprintf("%s paused (SIGSTOP to process group %d)", n, e.PID)
	case Continued:
		return fmt.Sprintf("%s continued (SIGCONT to process group %d)", n, e.PID)
	case Command:
		return fmt.Sprintf("%s: control command %q received", n, e.Command)
	case BadCommand:
		if e.UnknownCount == 1 && len(e.Unknown) == 1 {
			return fmt.Sprintf("%s: unknown control command %q ignored", n, e.Unknown[0])
		}
		more := ""
		if e.UnknownCount > len(e.Unknown) {
			more = "..."
		}
		return fmt.Sprintf("%s: %d unknown control bytes ignored: %q%s", n, e.UnknownCount, e.Unknown, more)
	case Reload:
		return fmt.Sprintf("%s: reload of the manifest requested", n)
	case Released:
		return fmt.Sprintf("%s is no longer supervised", n)
	case Warning:
		return fmt.Sprintf("%s: %v", n, e.Err)
	case GaveUp:
		return fmt.Sprintf("supervise refused to restart %s any more: %d exits within %s (u starts it again)", n, e.Tries, e.Delay)
	case Alarm:
		if len(e.Channels) == 0 {
			return fmt.Sprintf("%s: alarm: %s (no alarm channel configured)", n, e.Text)
		}
		return fmt.Sprintf("%s: alarm: %s (%s)", n, e.Text, strings.Join(e.Channels, "; "))
	case AlarmSilenced:
		return fmt.Sprintf("%s: alarm not sent, silenced: %s", n, e.Text)
	case Reclaimed:
		return fmt.Sprintf("%s is supervised again", n)
	case Killed:
		return fmt.Sprintf("%s: SIGKILL sent to process group %d: svman was asked twice to stop", n, e.PID)
	case Waiting:
		return fmt.Sprintf("%s waiting: %s", n, e.Text)
	case Ready:
		return fmt.Sprintf("%s ready after %s: %s", n, roundDuration(e.Uptime), e.Text)
	case NotReady:
		if e.Err != nil {
			return fmt.Sprintf("%s not ready within %s: %v", n, e.Delay, e.Err)
		}
		return fmt.Sprintf("%s not ready within %s", n, e.Delay)
	case Unhealthy:
		return fmt.Sprintf("%s unhealthy: %d health checks failed in a row, the last: %v", n, e.Tries, e.Err)
	case Notified:
		return fmt.Sprintf("%s: %s", n, e.Text)
	}
	return fmt.Sprintf("%s: event %d", n, e.Kind)
}

// restartNowBelow is the shortest delay a Restarting event states: a start due
// sooner than this follows before a reader could act on "in 9ms", so the event
// says "now".
const restartNowBelow = 100 * time.Millisecond

// CrashLoopText says why a start waits: "crash loop: 3 runs shorter than 1s".
// runs counts the consecutive runs shorter than minUptime, failed starts included.
func CrashLoopText(runs int, minUptime time.Duration) string {
	what := "runs"
	if runs == 1 {
		what = "run"
	}
	return fmt.Sprintf("crash loop: %d %s shorter than %s", runs, what, minUptime)
}

// roundDuration keeps durations readable: "1.2s", "3m4s", "15ms".
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	}
	return d
}
