package probe

import (
	"testing"
	"time"

	"svman/manifest"
)

func TestBackoff(t *testing.T) {
	ms := time.Millisecond
	exec := manifest.Probe{Exec: []string{"true"}}
	tcp := manifest.Probe{TCP: "127.0.0.1:9"}
	for _, c := range []struct {
		p        manifest.Probe
		attempt  int
		interval time.Duration
		want     time.Duration
	}{
		{exec, 0, time.Second, 10 * ms},
		{exec, 1, time.Second, 20 * ms},
		{exec, 2, time.Second, 40 * ms},
		{exec, 6, time.Second, 640 * ms},
		{exec, 7, time.Second, time.Second}, // 1280ms, capped
		{exec, 1000, time.Second, time.Second},
		{exec, -1, time.Second, 10 * ms},
		{exec, 4, 200 * ms, 160 * ms},
		{exec, 5, 200 * ms, 200 * ms},
		{exec, 1, 15 * ms, 15 * ms},
		{exec, 0, 5 * ms, 5 * ms}, // shorter than the first wait: every wait
		{exec, 9, 5 * ms, 5 * ms},
		{tcp, 0, time.Second, ms},
		{tcp, 1, time.Second, 1250 * time.Microsecond},
		{tcp, 2, time.Second, 1563 * time.Microsecond},
		{tcp, 3, time.Second, 1953 * time.Microsecond},
		{tcp, 30, time.Second, 807794 * time.Microsecond},
		{tcp, 31, time.Second, time.Second},
		{manifest.Probe{HTTP: "http://127.0.0.1/"}, 1, time.Second, 1250 * time.Microsecond},
		{tcp, 3, ms, ms},
	} {
		if got := Backoff(c.p, c.attempt, c.interval); got != c.want {
			t.Errorf("Backoff(%v, %d, %v) = %v, want %v", c.p, c.attempt, c.interval, got, c.want)
		}
	}
}

// An attempt of a ready probe may take its interval, and never less than a
// second, however short the interval.
func TestReadyAttemptTimeout(t *testing.T) {
	for interval, want := range map[time.Duration]time.Duration{
		10 * time.Millisecond: time.Second,
		time.Second:           time.Second,
		5 * time.Second:       5 * time.Second,
	} {
		if got := ReadyAttemptTimeout(interval); got != want {
			t.Errorf("ReadyAttemptTimeout(%v) = %v, want %v", interval, got, want)
		}
	}
}
