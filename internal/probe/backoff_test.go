package probe

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		attempt  int
		interval time.Duration
		want     time.Duration
	}{
		{0, time.Second, 10 * ms},
		{1, time.Second, 20 * ms},
		{2, time.Second, 40 * ms},
		{6, time.Second, 640 * ms},
		{7, time.Second, time.Second}, // 1280ms, capped
		{1000, time.Second, time.Second},
		{-1, time.Second, 10 * ms},
		{0, 200 * ms, 10 * ms},
		{4, 200 * ms, 160 * ms},
		{5, 200 * ms, 200 * ms},
		{0, 15 * ms, 10 * ms},
		{1, 15 * ms, 15 * ms},
		{0, 10 * ms, 10 * ms},
		{3, 10 * ms, 10 * ms},
		{0, 5 * ms, 5 * ms}, // shorter than ProbeFirst: every wait
		{9, 5 * ms, 5 * ms},
	} {
		if got := Backoff(c.attempt, c.interval); got != c.want {
			t.Errorf("Backoff(%d, %v) = %v, want %v", c.attempt, c.interval, got, c.want)
		}
	}
}
