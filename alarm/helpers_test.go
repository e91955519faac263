package alarm

import (
	"testing"
	"time"

	"svman/internal/testkit"
)

type failure struct {
	module, channel string
	err             error
}

// failures returns a Failed callback and the channel it reports to.
func failures() (func(module, channel string, err error), chan failure) {
	ch := make(chan failure, 16)
	return func(module, channel string, err error) { ch <- failure{module, channel, err} }, ch
}

func waitFailure(t *testing.T, ch <-chan failure) failure {
	t.Helper()
	select {
	case f := <-ch:
		return f
	case <-testkit.Within():
		t.Fatal("no Failed callback")
		return failure{}
	}
}

// noFailure checks that no delivery failed. Call it after Close, which waits for
// every delivery and so for every Failed call.
func noFailure(t *testing.T, ch <-chan failure) {
	t.Helper()
	select {
	case f := <-ch:
		t.Fatalf("unexpected failure of %s for %s: %v", f.channel, f.module, f.err)
	default:
	}
}

// closeWithin calls s.Close and fails the test if it does not return in time.
func closeWithin(t *testing.T, s *Sender) {
	t.Helper()
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-testkit.Within():
		t.Fatal("Close did not return")
	}
}

func testFacts() Facts {
	return Facts{
		Module:     "web",
		Event:      Exited,
		ExitCode:   -1,
		Signal:     "SIGSEGV",
		CoreDumped: true,
		Tries:      3,
		Hostname:   "box1",
		Time:       time.Date(2024, 5, 6, 7, 8, 9, 0, time.Local),
	}
}
