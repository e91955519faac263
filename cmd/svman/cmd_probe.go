package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"svman/internal/probe"
	"svman/internal/proc"
	"svman/manifest"
)

var probeCommand = &command{
	name:    "probe",
	args:    "MODULE",
	summary: "run a module's ready (or health) probe, once or until it passes",
	help: `Runs the ready probe of MODULE (a module, or an instance: web.1), or with
--health its health check, as svman up runs it: an http or tcp probe made by
svman, an exec probe run without a shell in the module's dir, with its whole
environment (SVMAN_MODULE and SVMAN_STATUS_DIR included) and as its user and
group, each attempt bounded as svman up bounds it (a ready probe by its
interval, at least 1s; a health check by its timeout). It needs no running
svman and touches no status directory.

It tries once; with --wait D it tries again, backing off as svman up's ready
probe does, until an attempt passes or D has passed, and says on stderr why an
attempt failed each time the reason changes. The units svman export systemd
makes call it so, from ExecStartPost=, to hold the unit's start until the
module is ready; by hand, it tests a probe: svman probe --wait 30s web.

Exits 0 when the probe passed; 1 when it did not (with the last attempt's
reason on stderr), when the module has no such probe, when its ready check is
one only svman up can observe (notify, notification_fd, log), or when the
module is not in the manifest; 2 when the command line is wrong.`,
	flags: func(fs *flag.FlagSet) { probeFlags(fs) },
	run:   runProbe,
}

// probeFlags declares svman probe's flags on fs and returns their values.
func probeFlags(fs *flag.FlagSet) (file *string, health *bool, wait *time.Duration) {
	file = manifestFlag(fs)
	health = fs.Bool("health", false, "run the module's health check rather than its ready probe")
	wait = fs.Duration("wait", 0, "try until the probe passes or `D` (a duration: 30s, 2m) has passed; 0, the default, tries once")
	return file, health, wait
}

// check is the probe svman probe runs, with svman up's bounds for it.
type check struct {
	what     string // "ready probe", "health check"
	passed   string // what a pass makes the module: "ready", "healthy"
	p        manifest.Probe
	timeout  time.Duration // of one attempt
	interval time.Duration // the longest wait between two attempts (probe.Backoff)
}

func runProbe(ctx context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	file, health, wait := probeFlags(fs)
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	switch {
	case fs.NArg() != 1:
		fmt.Fprintln(stderr, "svman probe: name one module: svman probe [FLAGS] MODULE")
		return exitUsage
	case *wait < 0:
		fmt.Fprintf(stderr, "svman probe: --wait %s is negative\n", *wait)
		return exitUsage
	}
	m, ok := loadManifest(*file, stderr, false)
	if !ok {
		return exitFailure
	}
	mod, err := namedModule(m, fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "svman probe: %v\n", err)
		return exitFailure
	}
	k, err := moduleCheck(mod, *health)
	if err != nil {
		fmt.Fprintf(stderr, "svman probe: %v\n", err)
		return exitFailure
	}
	t := probe.Target{Dir: mod.Dir, User: mod.User, Group: mod.Group}
	if k.p.Exec != nil { // only a process needs one: a connection is made by svman
		t.Env = proc.ProcessEnv(mod, filepath.Join(m.StatusDir, mod.Name), proc.Secrets(m), nil)
	}
	// INT and TERM end the attempt under way: an exec probe's process group is
	// killed and reaped before svman probe exits.
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	r := proc.NewReaper()
	defer r.Close()
	sys, err := proc.NewSystem(r)
	if err != nil {
		fmt.Fprintf(stderr, "svman probe: %v\n", err)
		return exitFailure
	}
	defer sys.Close()

	attempt := func(ctx context.Context, timeout time.Duration) error {
		return probe.Attempt(ctx, sys, k.p, t, timeout)
	}
	said := ""
	retrying := func(err error) {
		if err.Error() != said {
			said = err.Error()
			fmt.Fprintf(stderr, "svman probe: %s: %s failed, trying again for up to %s: %v\n", mod.Name, k.what, *wait, err)
		}
	}
	start := time.Now()
	n, err := untilPassed(ctx, attempt, k, *wait, retrying)
	took := time.Since(start).Round(time.Millisecond)
	switch {
	case err == nil && n == 1:
		fmt.Fprintf(stdout, "%s: %s (%s)\n", mod.Name, k.passed, probe.Passed(k.p))
		return exitOK
	case err == nil:
		fmt.Fprintf(stdout, "%s: %s at attempt %d, after %s (%s)\n", mod.Name, k.passed, n, took, probe.Passed(k.p))
		return exitOK
	case ctx.Err() != nil:
		fmt.Fprintf(stderr, "svman probe: %s: interrupted before the %s passed: %v\n", mod.Name, k.what, err)
	case *wait == 0:
		fmt.Fprintf(stderr, "svman probe: %s: %s failed: %v\n", mod.Name, k.what, err)
	default:
		fmt.Fprintf(stderr, "svman probe: %s: %s did not pass within %s (%s); the last attempt failed: %v\n", mod.Name, k.what, *wait, attempts(n), err)
	}
	return exitFailure
}

// moduleCheck is the ready probe of mod, or its health check (health), as
// svman up runs it. A module without one, or whose ready check only svman up
// can observe, is an error that says so.
func moduleCheck(mod *manifest.Module, health bool) (check, error) {
	if health {
		h := mod.Health
		if h == nil {
			return check{}, fmt.Errorf("%s has no health block: there is no health check to run", mod.Name)
		}
		return check{what: "health check", passed: "healthy", p: h.Probe, timeout: h.Timeout, interval: h.Interval}, nil
	}
	r := mod.Ready
	switch {
	case r == nil:
		return check{}, fmt.Errorf("%s has no ready block: svman up takes it as ready once it has started, and there is no probe to run", mod.Name)
	case r.Log != "":
		return check{}, fmt.Errorf("%s is ready when its output matches log = %q: only svman up, which reads the module's output, can see that", mod.Name, r.Log)
	case r.Notify:
		return check{}, fmt.Errorf("%s is ready when it says READY=1 on the notify socket svman up gives it (notify = true): only svman up can hear that", mod.Name)
	case r.NotificationFD != 0:
		return check{}, fmt.Errorf("%s is ready when it writes to the descriptor svman up gives it (notification_fd = %d): only svman up can read that", mod.Name, r.NotificationFD)
	case !r.Probe.Set():
		return check{}, fmt.Errorf("%s's ready block has no probe to run", mod.Name)
	}
	return check{what: "ready probe", passed: "ready", p: r.Probe, timeout: probe.ReadyAttemptTimeout(r.Interval), interval: r.Interval}, nil
}

// untilPassed runs attempts of k until one passes: once when wait is 0;
// otherwise until wait has passed since the first began, which also bounds
// each attempt, waiting between two as svman up's ready probe does
// (probe.Backoff). retrying is told of each failed attempt after which
// another comes. It returns how many attempts ran and the last one's error
// (nil: it passed); when ctx is done it returns at once.
func untilPassed(ctx context.Context, attempt func(ctx context.Context, timeout time.Duration) error, k check, wait time.Duration, retrying func(error)) (int, error) {
	deadline := time.Now().Add(wait)
	var err error
	for n := 0; ; n++ {
		timeout := k.timeout
		if wait > 0 {
			// The first attempt is bounded by the wait itself, so that one
			// always runs, however short the wait: no attempt is no pass.
			left := time.Until(deadline)
			if n == 0 {
				left = wait
			}
			timeout = min(timeout, left)
		}
		if timeout <= 0 {
			return n, err
		}
		err = attempt(ctx, timeout)
		if err == nil || wait == 0 || ctx.Err() != nil {
			return n + 1, err
		}
		// The last pause is cut short, so that one attempt still comes
		// before the deadline, with half the time left for it at most: a
		// check that passes late within wait is not missed.
		remaining := time.Until(deadline)
		if remaining < lastAttemptLeast {
			return n + 1, err
		}
		pause := min(probe.Backoff(k.p, n, k.interval), remaining-min(k.timeout, remaining/2))
		retrying(err)
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return n + 1, err
		}
	}
}

// lastAttemptLeast is the least time left before --wait's deadline for
// which another attempt is made.
const lastAttemptLeast = 10 * time.Millisecond

// attempts is "1 attempt", "12 attempts".
func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}
