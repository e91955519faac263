package main

import (
	"strconv"
	"strings"
	"syscall"

	"svman/alarm"
	"svman/manifest"
)

// The variables systemd (251 and later) gives the processes of a unit that a
// service's OnFailure= or OnSuccess= started, about that service
// (systemd.exec(5)); svman alarm --systemd reads them.
const (
	monitorResult     = "MONITOR_SERVICE_RESULT" // success, exit-code, signal, core-dump, timeout, watchdog, start-limit-hit, ...
	monitorExitCode   = "MONITOR_EXIT_CODE"      // exited, killed or dumped (wait(2)'s CLD_*)
	monitorExitStatus = "MONITOR_EXIT_STATUS"    // the exit code when exited, else the signal's name without SIG
	monitorUnit       = "MONITOR_UNIT"           // the service's unit name
)

// systemdFacts fills in, from the variables read through getenv, what
// happened to the service (the event, from MONITOR_SERVICE_RESULT: see
// systemdEvent) and how its main process ended (from MONITOR_EXIT_CODE and
// MONITOR_EXIT_STATUS: exited with a code, killed by a signal, or killed by
// a signal that dumped its core). It returns what the alarm's message adds,
// from MONITOR_UNIT and MONITOR_SERVICE_RESULT: " (systemd:
// svman-web.service, result core-dump)", or "" when neither is set.
//
// A variable that is not set, or not as systemd.exec(5) says, leaves its fact
// as it was, so that the alarm still goes out with what is known: systemd
// sets none of them when several units trigger the same handler, and no exit
// variables when the service's main process was never known. A signal given
// as a number (11) is taken as well as a name (SEGV).
func systemdFacts(f *alarm.Facts, getenv func(string) string) string {
	status := strings.TrimSpace(getenv(monitorExitStatus))
	switch code := strings.TrimSpace(getenv(monitorExitCode)); code {
	case "exited":
		if n, err := strconv.Atoi(status); err == nil && n >= 0 && n <= 255 {
			f.ExitCode, f.Signal, f.CoreDumped = n, "", false
		}
	case "killed", "dumped":
		// Killed by a signal, whichever: no exit code, even when the
		// signal's name cannot be read.
		f.ExitCode, f.Signal = -1, ""
		if name, ok := signalFact(status); ok {
			f.Signal = name
		}
		f.CoreDumped = code == "dumped"
	}
	result := strings.TrimSpace(getenv(monitorResult))
	if event, ok := systemdEvent(result); ok {
		f.Event = event
	}
	var said []string
	if unit := strings.TrimSpace(getenv(monitorUnit)); unit != "" {
		said = append(said, unit)
	}
	if result != "" {
		said = append(said, "result "+result)
	}
	if len(said) == 0 {
		return ""
	}
	return " (systemd: " + strings.Join(said, ", ") + ")"
}

// systemdEvent is the event of an alarm about a service whose result
// (MONITOR_SERVICE_RESULT, systemd.exec(5)) is result, as svman up would
// name what happened:
//
//	start-limit-hit                            gave_up: the start limit (alarm max_tries) refused a restart
//	watchdog                                   unhealthy: no WATCHDOG=1 in time
//	timeout                                    not_ready: the start (READY=1, or svman probe) outlived TimeoutStartSec=
//	exit-code, signal, core-dump, oom-kill,    exited: the process ended, or could not be run
//	and any other
//
// "timeout" is also the result of a stop that outlived TimeoutStopSec= (the
// module's stop_timeout), after which systemd killed the unit with SIGKILL:
// svman kills it then too, but raises no alarm. Nothing tells the two
// apart, and the alarm of a unit that failed so says not_ready, with
// "result timeout" in its message. ok is false when result is empty:
// systemd said nothing.
func systemdEvent(result string) (event string, ok bool) {
	switch result {
	case "":
		return "", false
	case "start-limit-hit":
		return alarm.GaveUp, true
	case "watchdog":
		return alarm.Unhealthy, true
	case "timeout":
		return alarm.NotReady, true
	}
	return alarm.Exited, true
}

// signalFact is the signal s names, as an alarm's facts name it ("SIGSEGV"):
// s is a name, with or without SIG, in any case, or a number.
func signalFact(s string) (string, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 64 {
			return "", false
		}
		return manifest.SignalName(syscall.Signal(n)), true
	}
	sig, err := manifest.ParseSignal(s)
	if err != nil {
		return "", false
	}
	return manifest.SignalName(sig), true
}
