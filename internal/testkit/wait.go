package testkit

import (
	"testing"
	"time"
)

// Deadline bounds every wait of svman's tests. A healthy run takes milliseconds;
// the deadline only ends a test that would otherwise hang.
const Deadline = 15 * time.Second

// pollInterval is how often WaitFor checks its condition.
const pollInterval = 5 * time.Millisecond

// WaitFor polls cond until it holds, and fails the test, naming what it waited
// for, if it still does not hold after Deadline.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if !Poll(cond) {
		t.Fatalf("timed out after %v waiting for %s", Deadline, what)
	}
}

// Poll polls cond until it holds or Deadline passes, and reports whether it held.
// It is WaitFor for callers that describe the failure themselves.
func Poll(cond func() bool) bool {
	end := time.Now().Add(Deadline)
	for !cond() {
		if time.Now().After(end) {
			return false
		}
		time.Sleep(pollInterval)
	}
	return true
}

// Within returns a channel that fires after Deadline, for a select that waits on
// a channel.
func Within() <-chan time.Time { return time.After(Deadline) }
