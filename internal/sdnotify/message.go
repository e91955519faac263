package sdnotify

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxMessage is the largest datagram a Socket accepts, in bytes: systemd's own
// limit on a notification (PIPE_BUF). A larger one is dropped whole.
const MaxMessage = 4096

// Message is one notification: what its sender said, and who sent it.
type Message struct {
	// PID and UID are the sender's, from the kernel (SCM_CREDENTIALS), not from
	// what the sender wrote.
	PID, UID int

	Ready     bool // READY=1: startup is done
	Stopping  bool // STOPPING=1: shutting down
	Reloading bool // RELOADING=1: reloading its configuration
	Watchdog  bool // WATCHDOG=1: a keep-alive ping
	// WatchdogTrigger is WATCHDOG=trigger: the service asks to be treated as if
	// its watchdog had expired.
	WatchdogTrigger bool
	// WatchdogUSec is WATCHDOG_USEC=: the service sets its own watchdog
	// timeout, in microseconds; 0 if not given.
	WatchdogUSec uint64
	// Status is STATUS=, a line for humans, when HasStatus: an empty one clears
	// the previous. A control character in it is replaced by U+FFFD, so it is
	// safe to print; one that is not valid UTF-8 is ignored, as systemd does.
	Status    string
	HasStatus bool
	// MainPID is MAINPID=, the pid the service says is its main process, or 0
	// when absent or not a positive number.
	MainPID int
	// Errno is ERRNO=, the error the service reports it failed with, or 0.
	Errno int
}

// Parse reads a notification's assignments, one a line. As with systemd, a
// flag (READY=1) counts on any line, and a key with a value (STATUS=) the first
// time it is given; unknown keys (FDSTORE=1, BUSERROR=, EXTEND_TIMEOUT_USEC=...)
// and lines without '=' are ignored.
func Parse(b []byte) Message {
	var m Message
	var seen []string // the keys with a value met so far
	for line := range bytes.Lines(b) {
		key, value, ok := strings.Cut(strings.TrimSuffix(string(line), "\n"), "=")
		switch {
		case !ok:
			continue
		case key == "READY":
			m.Ready = m.Ready || value == "1"
			continue
		case key == "STOPPING":
			m.Stopping = m.Stopping || value == "1"
			continue
		case key == "RELOADING":
			m.Reloading = m.Reloading || value == "1"
			continue
		case key == "WATCHDOG":
			m.Watchdog = m.Watchdog || value == "1"
			m.WatchdogTrigger = m.WatchdogTrigger || value == "trigger"
			continue
		case slices.Contains(seen, key):
			continue
		}
		seen = append(seen, key)
		switch key {
		case "WATCHDOG_USEC":
			m.WatchdogUSec, _ = strconv.ParseUint(value, 10, 64)
		case "STATUS":
			if utf8.ValidString(value) {
				m.Status, m.HasStatus = printable(value), true
			}
		case "MAINPID":
			if pid, err := strconv.Atoi(value); err == nil && pid > 0 {
				m.MainPID = pid
			}
		case "ERRNO":
			if n, err := strconv.Atoi(value); err == nil && n > 0 {
				m.Errno = n
			}
		}
	}
	return m
}

// printable is s with each control character replaced by U+FFFD.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return utf8.RuneError
		}
		return r
	}, s)
}
