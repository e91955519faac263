package manifest

import (
	"strings"
	"syscall"
	"testing"
)

func TestParseSignal(t *testing.T) {
	tests := []struct {
		in      string
		want    syscall.Signal
		errPart string // non-empty: an error containing this is expected
	}{
		{"TERM", syscall.SIGTERM, ""},
		{"SIGTERM", syscall.SIGTERM, ""},
		{"term", syscall.SIGTERM, ""},
		{"sigterm", syscall.SIGTERM, ""},
		{" INT ", syscall.SIGINT, ""},
		{"KILL", syscall.SIGKILL, ""},
		{"USR2", syscall.SIGUSR2, ""},
		{"SIGWINCH", syscall.SIGWINCH, ""},
		{"PWR", syscall.SIGPWR, ""},
		{"TREM", 0, `did you mean "TERM"?`},
		{"SIGUSR", 0, `did you mean "USR1"?`},
		{"BANANA", 0, "use one of HUP, INT,"},
		{"", 0, "use one of"},
		{"15", 0, "use one of"},
		{"SIGRTMIN+1", 0, "use one of"},
	}
	for _, tt := range tests {
		got, err := ParseSignal(tt.in)
		switch {
		case tt.errPart == "" && (err != nil || got != tt.want):
			t.Errorf("ParseSignal(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		case tt.errPart != "" && (err == nil || !strings.Contains(err.Error(), tt.errPart)):
			t.Errorf("ParseSignal(%q) error = %v; want one containing %q", tt.in, err, tt.errPart)
		}
	}
}

func TestSignalName(t *testing.T) {
	if got := SignalName(syscall.SIGTERM); got != "SIGTERM" {
		t.Errorf("SignalName(SIGTERM) = %q", got)
	}
	if got := SignalName(syscall.Signal(42)); got != "signal 42" {
		t.Errorf("SignalName(42) = %q", got)
	}
	// Every name in the table round-trips, and no two names share a number
	// (which would make SignalName ambiguous).
	seen := map[syscall.Signal]string{}
	for _, s := range signals {
		if prev, dup := seen[s.sig]; dup {
			t.Errorf("%s and %s are both signal %d", prev, s.name, s.sig)
		}
		seen[s.sig] = s.name
		if got, err := ParseSignal(SignalName(s.sig)); err != nil || got != s.sig {
			t.Errorf("ParseSignal(SignalName(%d)) = %v, %v", s.sig, got, err)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"TERM", "TERM", 0}, {"TREM", "TERM", 1}, {"TERN", "TERM", 1},
		{"TER", "TERM", 1}, {"", "ABC", 3}, {"KILL", "HUP", 4},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
