package engine

import (
	"testing"
	"time"
)

// The limit on lines control bytes cause: a burst, then one per interval, and
// the tokens of a quiet spell come back, never more than the burst.
func TestLineLimit(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)
	var l lineLimit
	for i := range controlLinesBurst {
		if !l.take(t0) {
			t.Fatalf("line %d of the burst held back", i+1)
		}
	}
	steps := []struct {
		at   time.Duration
		want bool
	}{
		{0, false},                      // the burst is spent
		{999 * time.Millisecond, false}, // not a whole interval yet
		{time.Second, true},             // one regained
		{time.Second, false},            // and taken
		{1500 * time.Millisecond, false},
		{2 * time.Second, true}, // counted from the last regain, not the last take
		{5 * time.Second, true}, // three regained over a quiet spell...
		{5 * time.Second, true},
		{5 * time.Second, true},
		{5 * time.Second, false}, // ...and no more
	}
	for _, st := range steps {
		if got := l.take(t0.Add(st.at)); got != st.want {
			t.Errorf("take at +%s = %v, want %v", st.at, got, st.want)
		}
	}
	if next := l.next(t0.Add(5 * time.Second)); !next.Equal(t0.Add(6 * time.Second)) {
		t.Errorf("next token at +%s, want +6s", next.Sub(t0))
	}
	// An hour later the whole burst is back, and no more.
	later := t0.Add(time.Hour)
	for i := range controlLinesBurst {
		if !l.take(later) {
			t.Fatalf("after an hour, line %d of the burst held back", i+1)
		}
	}
	if l.take(later) {
		t.Error("more than a burst after an hour")
	}
}
