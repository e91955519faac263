package alarm

import (
	"strconv"
	"strings"
	"time"
)

// Events an alarm can be about.
const (
	Exited      = "exited"       // the module's process exited or was killed
	StartFailed = "start_failed" // the module's process could not be started
	GaveUp      = "gave_up"      // the module exited too often: svman stopped restarting it
	Unhealthy   = "unhealthy"    // its health checks failed too often in a row: restarted
	NotReady    = "not_ready"    // it was not ready within its ready timeout
	Blocked     = "blocked"      // it cannot start: a dependency failed or was taken down
)

// Events lists the events above, in that order: the words an event may be.
func Events() []string {
	return []string{Exited, StartFailed, GaveUp, Unhealthy, NotReady, Blocked}
}

// Facts describe one alarm. They become the SVMAN_* environment of the exec hook, the JSON
// body of the webhook, and the mail.
type Facts struct {
	Module     string    `json:"module"`
	Event      string    `json:"event"`      // one of the events above
	ExitCode   int       `json:"exit_code"`  // -1 when killed by a signal or never started
	Signal     string    `json:"signal"`     // "SIGSEGV", "" for a plain exit
	CoreDumped bool      `json:"coredumped"` // the kernel wrote a core dump
	Tries      int       `json:"tries"`      // exits in the current alarm window
	Hostname   string    `json:"hostname"`
	Message    string    `json:"message"` // see Message
	Time       time.Time `json:"time"`
}

// Message is the legacy alarm text, kept word for word because people filter their
// mail and pagers on it:
//
//	2006-01-02 15:04:05 [Alarm: HOST] Service NAME exited with coredump!
//
// The time is f.Time in local time; " with coredump" appears only when CoreDumped.
// For gave_up the text ends "Service NAME exited too often: svman refused to restart
// it any more!", for start_failed "Service NAME could not be started!", for
// unhealthy "Service NAME failed its health checks!", for not_ready "Service
// NAME was not ready in time!", for blocked "Service NAME cannot start: a
// dependency is down!". Any other event reads like exited.
func Message(f Facts) string {
	head := f.Time.Local().Format(time.DateTime) + " [Alarm: " + f.Hostname + "] Service " + f.Module
	switch f.Event {
	case GaveUp:
		return head + " exited too often: svman refused to restart it any more!"
	case StartFailed:
		return head + " could not be started!"
	case Unhealthy:
		return head + " failed its health checks!"
	case NotReady:
		return head + " was not ready in time!"
	case Blocked:
		return head + " cannot start: a dependency is down!"
	}
	if f.CoreDumped {
		return head + " exited with coredump!"
	}
	return head + " exited!"
}

// Env returns the facts as "NAME=value" environment entries: SVMAN_MODULE, SVMAN_EVENT,
// SVMAN_EXIT_CODE, SVMAN_SIGNAL, SVMAN_COREDUMPED ("1" or "0"), SVMAN_TRIES,
// SVMAN_HOSTNAME, SVMAN_MESSAGE and SVMAN_TIME (RFC 3339, in the zone of f.Time).
// Values are verbatim except that NUL bytes, which no environment can carry, are
// dropped.
func Env(f Facts) []string {
	core := "0"
	if f.CoreDumped {
		core = "1"
	}
	kv := []struct{ k, v string }{
		{"SVMAN_MODULE", f.Module},
		{"SVMAN_EVENT", f.Event},
		{"SVMAN_EXIT_CODE", strconv.Itoa(f.ExitCode)},
		{"SVMAN_SIGNAL", f.Signal},
		{"SVMAN_COREDUMPED", core},
		{"SVMAN_TRIES", strconv.Itoa(f.Tries)},
		{"SVMAN_HOSTNAME", f.Hostname},
		{"SVMAN_MESSAGE", f.Message},
		{"SVMAN_TIME", f.Time.Format(time.RFC3339)},
	}
	env := make([]string, 0, len(kv))
	for _, e := range kv {
		env = append(env, e.k+"="+strings.ReplaceAll(e.v, "\x00", ""))
	}
	return env
}

// lines lists the facts one per line, "Name: value", for the body of the mail.
func lines(f Facts) string {
	var b strings.Builder
	for _, e := range Env(f) {
		k, v, _ := strings.Cut(strings.TrimPrefix(e, "SVMAN_"), "=")
		b.WriteString(strings.ToLower(k))
		b.WriteString(": ")
		b.WriteString(v)
		b.WriteString("\n")
	}
	return b.String()
}
