package main

import (
	"fmt"
	"os"
	"strings"

	"svman/engine"
	"svman/internal/proc"
	"svman/internal/sdnotify"
)

// selfNotifier tells the service manager that started svman (systemd, with
// Type=notify) how supervision goes, through the socket NOTIFY_SOCKET names:
// STATUS= with the counts of modules whenever they change, READY=1 once every
// autostart module is ready, STOPPING=1 when the stop of every module begins.
// Without NOTIFY_SOCKET it is nil, and it sends nothing.
type selfNotifier struct {
	addr string
	// latest holds the report the notifier has not sent yet, replaced by a
	// newer one: report never waits for the service manager.
	latest chan engine.Readiness
	warn   func(format string, args ...any) // says once that a notification failed
}

// newSelfNotifier takes svman's own service-manager variables (NOTIFY_SOCKET,
// WATCHDOG_*, LISTEN_*) out of its environment, so that no child of svman's, of
// whatever kind, gets them, and returns the notifier of NOTIFY_SOCKET, or nil.
func newSelfNotifier(warn func(format string, args ...any)) *selfNotifier {
	addr := os.Getenv("NOTIFY_SOCKET")
	for _, k := range proc.ServiceManagerEnv {
		os.Unsetenv(k)
	}
	if addr == "" {
		return nil
	}
	return &selfNotifier{addr: addr, latest: make(chan engine.Readiness, 1), warn: warn}
}

// report is the engine's Readiness callback. It never blocks; it is called
// from the engine's goroutine only, so after it has emptied latest, latest has
// room.
func (n *selfNotifier) report(r engine.Readiness) {
	select {
	case <-n.latest:
	default:
	}
	n.latest <- r
}

// run is the notifier's actor: it sends each report as it comes, READY=1 with
// the first one in which every module wanted up is ready, and STOPPING=1 once
// stopping is closed, until quit is closed. A nil notifier only waits for quit.
func (n *selfNotifier) run(stopping, quit <-chan struct{}) {
	if n == nil {
		<-quit
		return
	}
	ready, stopped, warned := false, false, false
	send := func(state string) {
		if err := sdnotify.Send(n.addr, state); err != nil && !warned {
			warned = true
			n.warn("cannot tell the service manager how svman is doing: %v", err)
		}
	}
	for {
		select {
		case r := <-n.latest:
			state := "STATUS=" + readinessStatus(r)
			switch {
			case stopped:
				state = "STATUS=stopping; " + readinessStatus(r)
			case r.AllReady && !ready:
				ready = true
				state = "READY=1\n" + state
			}
			send(state)
		case <-stopping:
			stopping, stopped = nil, true
			send("STOPPING=1\nSTATUS=stopping every module")
		case <-quit:
			return
		}
	}
}

// readinessStatus is the STATUS= line of r: "12 modules: 11 ready, 1 starting".
func readinessStatus(r engine.Readiness) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s: %d ready", r.Modules, plural(r.Modules, "module", "modules"), r.Ready)
	for _, c := range []struct {
		n    int
		what string
	}{{r.Starting, "starting"}, {r.Waiting, "waiting"}, {r.Down, "down"}, {r.Failed, "failed"}} {
		if c.n > 0 {
			fmt.Fprintf(&b, ", %d %s", c.n, c.what)
		}
	}
	return b.String()
}
