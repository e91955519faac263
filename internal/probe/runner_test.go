package probe

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/manifest"
)

// outcome is what one Go reports: its results, and how many times done was
// called.
type outcome struct {
	calls atomic.Int32
	res   chan error
}

func newOutcome() *outcome { return &outcome{res: make(chan error, 2)} }

func (o *outcome) done(err error) {
	o.calls.Add(1)
	o.res <- err
}

// wait returns the result of the attempt, failing the test if done is not
// called within the tests' deadline.
func (o *outcome) wait(t *testing.T, what string) error {
	t.Helper()
	select {
	case err := <-o.res:
		return err
	case <-testkit.Within():
		t.Fatalf("%s: done was not called", what)
		return nil
	}
}

var (
	hang = manifest.Probe{Exec: []string{"sleep", "60"}}
	pass = manifest.Probe{Exec: []string{"true"}}
)

// noGoroutinesLeft waits until the test's goroutines are gone: every one that
// Go started ended.
func noGoroutinesLeft(t *testing.T, before int) {
	t.Helper()
	testkit.WaitFor(t, "the runner's goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

func TestRunnerRunsAtMostMaxAtOnce(t *testing.T) {
	before := runtime.NumGoroutine()
	sys := &counting{System: testSystem}
	r := NewRunner(sys, 2)
	tg := here(t)

	var hung []*outcome
	var cancels []func()
	for range 6 {
		o := newOutcome()
		hung = append(hung, o)
		cancels = append(cancels, r.Go(hang, tg, 2*testkit.Deadline, o.done))
	}
	testkit.WaitFor(t, "two probes to run", func() bool { running, _, _ := sys.now(); return running >= 2 })
	for _, cancel := range cancels {
		cancel()
	}
	for i, o := range hung {
		if err := o.wait(t, "a cancelled probe"); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled attempt %d: got %v, want context.Canceled", i, err)
		}
	}
	_, _, started := sys.now()
	for i := range started {
		if pid := sys.pid(i); !gone(pid) {
			t.Errorf("cancelled probe %d is still there", pid)
		}
	}

	var quick []*outcome
	for range 20 {
		o := newOutcome()
		quick = append(quick, o)
		r.Go(pass, tg, testkit.Deadline, o.done)
	}
	for i, o := range quick {
		if err := o.wait(t, "true"); err != nil {
			t.Errorf("attempt %d of true: %v", i, err)
		}
	}
	if running, peak, _ := sys.now(); peak != 2 || running != 0 {
		t.Errorf("at most %d probes ran at once, %d still run; want 2 and 0", peak, running)
	}
	noGoroutinesLeft(t, before)
	for _, o := range append(hung, quick...) {
		if n := o.calls.Load(); n != 1 {
			t.Errorf("done was called %d times, want once", n)
		}
	}
}

func TestRunnerTimeoutStartsWithTheAttempt(t *testing.T) {
	sys := &counting{System: testSystem}
	r := NewRunner(sys, 1)
	tg := here(t)
	holder, waiter := newOutcome(), newOutcome()
	r.Go(hang, tg, 500*time.Millisecond, holder.done)
	testkit.WaitFor(t, "the first probe to run", func() bool { _, _, started := sys.now(); return started == 1 })
	// It waits for the slot longer than its own timeout, and still passes.
	r.Go(pass, tg, 200*time.Millisecond, waiter.done)
	if err := holder.wait(t, "sleep 60"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the probe holding the slot: got %v, want a timeout", err)
	}
	if err := waiter.wait(t, "true"); err != nil {
		t.Errorf("the probe waiting for the slot: %v", err)
	}
}

func TestRunnerCancel(t *testing.T) {
	before := runtime.NumGoroutine()
	sys := &counting{System: testSystem}
	r := NewRunner(sys, 1)
	tg := here(t)

	holder, waiter := newOutcome(), newOutcome()
	cancelHolder := r.Go(hang, tg, 2*testkit.Deadline, holder.done)
	testkit.WaitFor(t, "the first probe to run", func() bool { _, _, started := sys.now(); return started == 1 })

	cancelWaiter := r.Go(pass, tg, testkit.Deadline, waiter.done)
	cancelWaiter()
	err := waiter.wait(t, "a probe cancelled before it started")
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "not run: ") {
		t.Errorf("cancelled before it started: got %v, want %q", err, "not run: context canceled")
	}
	if _, _, started := sys.now(); started != 1 {
		t.Errorf("%d probes started, want only the first", started)
	}

	cancelHolder()
	if err := holder.wait(t, "a running probe cancelled"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while it ran: got %v, want context.Canceled", err)
	}
	if pid := sys.pid(0); !gone(pid) {
		t.Errorf("the cancelled probe %d is still there", pid)
	}
	cancelHolder()
	cancelWaiter()

	after := newOutcome()
	cancelAfter := r.Go(pass, tg, testkit.Deadline, after.done)
	if err := after.wait(t, "true"); err != nil {
		t.Errorf("true: %v", err)
	}
	cancelAfter()
	cancelAfter()

	noGoroutinesLeft(t, before)
	for _, o := range []*outcome{holder, waiter, after} {
		if n := o.calls.Load(); n != 1 {
			t.Errorf("done was called %d times, want once", n)
		}
	}
}
