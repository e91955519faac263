package manifest

import (
	"fmt"
	"strings"
	"syscall"
)

// signals is the table of Linux signals a manifest may name, without the SIG
// prefix, in signal-number order (the order they are listed in when a name is
// unknown). It is read-only. Real-time signals are left out on purpose: nothing
// svman supervises needs one as a stop signal.
var signals = [...]struct {
	name string
	sig  syscall.Signal
}{
	{"HUP", syscall.SIGHUP}, {"INT", syscall.SIGINT}, {"QUIT", syscall.SIGQUIT},
	{"ILL", syscall.SIGILL}, {"TRAP", syscall.SIGTRAP}, {"ABRT", syscall.SIGABRT},
	{"BUS", syscall.SIGBUS}, {"FPE", syscall.SIGFPE}, {"KILL", syscall.SIGKILL},
	{"USR1", syscall.SIGUSR1}, {"SEGV", syscall.SIGSEGV}, {"USR2", syscall.SIGUSR2},
	{"PIPE", syscall.SIGPIPE}, {"ALRM", syscall.SIGALRM}, {"TERM", syscall.SIGTERM},
	{"STKFLT", syscall.SIGSTKFLT}, {"CHLD", syscall.SIGCHLD}, {"CONT", syscall.SIGCONT},
	{"STOP", syscall.SIGSTOP}, {"TSTP", syscall.SIGTSTP}, {"TTIN", syscall.SIGTTIN},
	{"TTOU", syscall.SIGTTOU}, {"URG", syscall.SIGURG}, {"XCPU", syscall.SIGXCPU},
	{"XFSZ", syscall.SIGXFSZ}, {"VTALRM", syscall.SIGVTALRM}, {"PROF", syscall.SIGPROF},
	{"WINCH", syscall.SIGWINCH}, {"IO", syscall.SIGIO}, {"PWR", syscall.SIGPWR},
	{"SYS", syscall.SIGSYS},
}

// ParseSignal turns a signal name into its number. The name is case-insensitive
// and the SIG prefix optional, so "TERM", "SIGTERM" and "term" are all SIGTERM.
// Only the classic Linux signals are known (HUP to SYS; no real-time signals, no
// numbers). The error for an unknown name suggests the closest known name, or
// lists them all when none is close.
func ParseSignal(name string) (syscall.Signal, error) {
	short := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(name)), "SIG")
	for _, s := range signals {
		if s.name == short {
			return s.sig, nil
		}
	}
	return 0, fmt.Errorf("unknown signal %q; %s", name, signalHint(short))
}

// signalHint tells how to fix an unknown signal name: the closest known name, or
// the list of them all when none is close.
func signalHint(short string) string {
	names := make([]string, len(signals))
	for i, s := range signals {
		names[i] = s.name
	}
	if s := Suggest(short, names); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return "use one of " + strings.Join(names, ", ") + " (the SIG prefix is optional)."
}

// SignalName returns the conventional name of s, such as "SIGTERM", or
// "signal 42" for a number outside ParseSignal's table.
func SignalName(s syscall.Signal) string {
	for _, e := range signals {
		if e.sig == s {
			return "SIG" + e.name
		}
	}
	return fmt.Sprintf("signal %d", int(s))
}
