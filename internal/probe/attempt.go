package probe

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"

	"svman/internal/proc"
	"svman/manifest"
)

// Target is where and as whom a module's probes run: the module's directory,
// its whole environment, and its user and group. Only exec probes use them;
// http and tcp probes are made by svman itself.
type Target struct {
	Dir         string
	Env         []string
	User, Group *manifest.Credential
}

// Starter forks and signals exec probes through svman's one reaper: svman
// reaps every child itself, so a probe's exit can only come from there
// (os/exec's Wait would never see it). *proc.System is one.
type Starter interface {
	Start(proc.Spec, proc.Output) (proc.Child, error)
	SignalGroup(pgid int, sig syscall.Signal)
}

// ErrNotRun is Attempt's answer to a probe it does not run: a log probe, which
// the engine matches against the module's output, or an unset one.
var ErrNotRun = errors.New("probe not run: a log probe is matched against the module's output")

// Attempt runs one attempt of probe p against target t, bounded by timeout
// (which must be positive) and by ctx, and returns nil when it passed. Its
// error is a short phrase fit for a status line and an alarm, naming what was
// checked and what went wrong:
//
//	GET http://127.0.0.1:9000/healthz: 503 Service Unavailable
//	connect 127.0.0.1:9000: connection refused
//	./bin/api ping exited with code 1: database unreachable
//	connect 127.0.0.1:9000: timed out after 2s
//
// An attempt that ran out of time is an error for which errors.Is(err,
// context.DeadlineExceeded) holds; one that ctx cancelled, errors.Is(err,
// context.Canceled). An exec probe still running then has its process group
// killed, and Attempt returns only once the probe's process has been reaped.
//
//   - http: a GET of p.HTTP; a status 200-399 passes. Redirects are followed
//     only to the same host name, at most maxRedirects. The connection is not
//     kept. An https probe verifies the server's certificate as any client
//     would: a service with a self-signed certificate (a dev box) is probed
//     with tcp or exec instead.
//   - tcp: p.TCP must accept a connection, which is closed at once.
//   - exec: p.Exec runs without a shell, in its own process group, in t.Dir
//     with t.Env, as t.User and t.Group; exit 0 passes. Its output is read
//     and dropped but for the first line, which a failure quotes.
//   - log, or nothing set: ErrNotRun.
//
// sys starts exec probes only; the others may be given a nil one. Attempt may
// be called from any goroutine, any number at once (Runner bounds how many).
func Attempt(ctx context.Context, sys Starter, p manifest.Probe, t Target, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch {
	case p.HTTP != "":
		return httpAttempt(ctx, p.HTTP, timeout)
	case p.TCP != "":
		return tcpAttempt(ctx, p.TCP, timeout)
	case len(p.Exec) > 0:
		return execAttempt(ctx, sys, p.Exec, t, timeout)
	default:
		return ErrNotRun
	}
}

// timedOut is the reason of an attempt that ran out of time.
type timedOut time.Duration

func (d timedOut) Error() string { return fmt.Sprintf("timed out after %s", time.Duration(d)) }

func (timedOut) Is(target error) bool { return target == context.DeadlineExceeded }

// ended is why ctx, an attempt's context bounded by timeout, is done: the
// timeout, or the cancellation of the attempt's caller.
func ended(ctx context.Context, timeout time.Duration) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return timedOut(timeout)
	}
	return ctx.Err()
}

// Passed says what a pass of p found, for a person: "GET URL passed",
// "HOST:PORT accepts connections", "PROGRAM passed".
func Passed(p manifest.Probe) string {
	switch {
	case p.HTTP != "":
		return "GET " + p.HTTP + " passed"
	case p.TCP != "":
		return p.TCP + " accepts connections"
	case p.Exec != nil:
		return p.Exec[0] + " passed"
	}
	return "ready"
}
