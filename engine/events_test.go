package engine

import (
	"testing"
	"time"
)

// A restart due within a blink is announced as "now"; a later one with its delay.
func TestRestartingText(t *testing.T) {
	tests := []struct {
		delay time.Duration
		want  string
	}{
		{0, "web restarting now"},
		{9 * time.Millisecond, "web restarting now"},
		{99 * time.Millisecond, "web restarting now"},
		{100 * time.Millisecond, "web restarting in 100ms"},
		{1234 * time.Millisecond, "web restarting in 1.2s"},
	}
	for _, tt := range tests {
		if got := (Event{Module: "web", Kind: Restarting, Delay: tt.delay}).String(); got != tt.want {
			t.Errorf("delay %s: %q, want %q", tt.delay, got, tt.want)
		}
	}
}
