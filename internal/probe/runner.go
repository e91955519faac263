package probe

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"svman/manifest"
)

// DefaultMax is how many attempts a Runner made with max <= 0 runs at once:
// 4 per CPU svman may use, and at least 16. One bound covers every kind: an
// attempt holds at most one process or one socket, and mostly waits (for a
// process to exit, a server to answer), so the bound is not about CPU but
// about forks and sockets arriving in bursts (a thousand modules started
// together) and about hung probes: each holds its slot until its timeout, so
// there must be room beside a few of them for the probes that answer.
func DefaultMax() int { return max(16, 4*runtime.GOMAXPROCS(0)) }

// Runner runs probe attempts, at most max of them at once. It is safe for
// concurrent use and needs no closing: it owns no goroutine of its own.
type Runner struct {
	sys   Starter
	slots chan struct{} // one token per running attempt
}

// NewRunner returns a Runner that starts exec probes through sys and runs at
// most max attempts at once (DefaultMax if max <= 0).
func NewRunner(sys Starter, max int) *Runner {
	if max <= 0 {
		max = DefaultMax()
	}
	return &Runner{sys: sys, slots: make(chan struct{}, max)}
}

// Go runs one Attempt of p against t in a goroutine of its own, once fewer
// than max attempts are running, and calls done exactly once, from that
// goroutine, with its result. It never blocks. The wait for a slot counts
// against nothing: timeout starts when the attempt does.
//
// cancel ends the attempt: one still waiting for a slot never starts, one
// running is stopped as Attempt stops it (an exec probe is killed and reaped
// before done is called); done then gets an error for which errors.Is(err,
// context.Canceled) holds, unless the attempt had already ended. cancel may
// be called any number of times, from any goroutine, before or after done.
//
// The goroutine ends when done returns; it is bounded by the wait for a slot
// plus timeout plus the time a killed probe takes to be reaped.
func (r *Runner) Go(p manifest.Probe, t Target, timeout time.Duration, done func(error)) (cancel func()) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer cancel() // releases ctx when the caller never cancels
		done(r.run(ctx, p, t, timeout))
	}()
	return cancel
}

func (r *Runner) run(ctx context.Context, p manifest.Probe, t Target, timeout time.Duration) error {
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("not run: %w", ctx.Err())
	}
	defer func() { <-r.slots }()
	if err := ctx.Err(); err != nil { // cancelled while a slot came free
		return fmt.Errorf("not run: %w", err)
	}
	return Attempt(ctx, r.sys, p, t, timeout)
}
