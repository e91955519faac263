package main

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	oklog "github.com/oklog/run"
	"golang.org/x/sys/unix"

	"svman/alarm"
	"svman/api"
	"svman/engine"
	"svman/internal/proc"
	"svman/logmux"
	"svman/manifest"
	"svman/metrics"
)

// supervision is the machinery `svman up` and `svman supervise` share: the
// reaper, the alarm sender and the engine, running and reporting to a console,
// and the signals svman takes while it supervises.
type supervision struct {
	engine  *engine.Engine
	reaper  *proc.Reaper
	alarms  *alarm.Sender
	signals chan os.Signal  // INT, TERM and HUP, from startSupervision on
	reloads chan struct{}   // an `r` was written to a control FIFO
	running context.Context // the engine's: done once a stop has begun
	stop    context.CancelFunc
	stopped chan struct{}              // closed once the engine's Run has returned
	self    *selfNotifier              // nil without NOTIFY_SOCKET (sdnotify.go)
	api     atomic.Pointer[api.Server] // the control API's, once it serves: its event streams
	// metrics counts the engine's events, the alarms, the lines and the
	// reloads; it knows only the modules the command Adds to it.
	metrics *metrics.Observer
}

// startSupervision makes svman a child subreaper, takes INT, TERM and HUP (held
// for the lifecycle's signal actor) and starts an engine for m's modules;
// nothing runs until the caller's first Apply. Every event is printed on the
// console; supervision stops by itself at an event for which ends (if set)
// returns true, and ends must not block. Close it once done (after the
// console's last use but before console.Close). The error is the engine's
// (engine.New): svman cannot supervise on this system.
func startSupervision(ctx context.Context, m *manifest.Manifest, console *logmux.Console, ends func(engine.Event) bool) (*supervision, error) {
	// Orphans of modules (daemons that detach) are re-parented to svman, so they are
	// reaped and no zombie is left behind.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		console.Systemf("cannot become a child subreaper (%v): detached grandchildren will be reaped by init", err)
	}
	// A console that goes away (`svman up | head`) must not take supervision with
	// it: with SIGPIPE notified, a write to a closed stdout fails with EPIPE instead
	// of killing svman, and the log files still get every line. (Notify, not Ignore:
	// an ignored signal would stay ignored in every child.)
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	sv := &supervision{
		reaper:  proc.NewReaper(),
		signals: make(chan os.Signal, 4),
		reloads: make(chan struct{}, 1),
		stopped: make(chan struct{}),
		self:    newSelfNotifier(console.Systemf),
		metrics: metrics.New(console.Dropped),
	}
	// Taken before the first Apply: a signal that comes while the modules start
	// waits here for the signal actor. HUP is caught rather than ignored, which
	// children would inherit.
	signal.Notify(sv.signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	sv.running, sv.stop = context.WithCancel(ctx)
	// The engine is created below; deliveries that fail report to it.
	var e *engine.Engine
	sv.alarms = alarm.NewSender(alarm.Config{
		SMTP: alarmSMTP(m.SMTP),
		Run:  sv.reaper.Run,
		Failed: func(module, channel string, err error) {
			sv.metrics.AlarmFailed(module, channel)
			e.ReportAlarmFailure(module, channel, err)
		},
	})
	var readiness func(engine.Readiness)
	if sv.self != nil {
		readiness = sv.self.report
	}
	e, err := engine.New(engine.Config{
		Reaper:    sv.reaper,
		Output:    sv.metrics.Output(console),
		Alarms:    sv.metrics.Alarms(sv.alarms),
		Readiness: readiness,
		Events: func(ev engine.Event) {
			sv.metrics.Observe(ev)
			if !ev.Quiet { // held back by the limit on what control bytes log
				showEvent(console, ev)
			}
			sv.api.Load().Publish(ev) // never blocks; nothing to do while no stream is open
			if ev.Kind == engine.Reload {
				notify(sv.reloads)
			}
			if ends != nil && ends(ev) {
				sv.stop()
			}
		},
	})
	if err != nil {
		sv.stop()
		sv.alarms.Close()
		sv.reaper.Close()
		signal.Stop(sv.signals)
		return nil, err
	}
	sv.engine = e
	go func() {
		e.Run(sv.running)
		close(sv.stopped)
	}()
	return sv, nil
}

// lifecycle is what `svman up` and `svman supervise` do differently between
// their first Apply and their end.
type lifecycle struct {
	hangup   func()           // SIGHUP
	stopping func(sig string) // says that INT or TERM (sig) stops every module
	killing  func(sig string) // says that a second one kills them at once
	// reload is the reload actor: it applies what `r` on a control FIFO (and
	// what else the command reloads on) asks for, until quit is closed.
	reload func(quit <-chan struct{})
}

// run supervises until every module is down. Its actors, and how each stops:
//
//   - engine: Run, started by startSupervision, supervises until a stop has
//     brought every module down. A stop comes from INT or TERM (the signal
//     actor), from the caller's context (the engine's is its child), or from an
//     event that ends supervision (startSupervision's ends). The one actor that
//     returns by itself: its end interrupts the others.
//   - signals: the first INT or TERM stops the engine, a second kills every
//     module; HUP is the command's. Interrupted by closing its quit.
//   - reload: the command's reload actor. Interrupted by closing its quit.
//   - self-notifier: tells the service manager how supervision goes, and
//     that it stops (sdnotify.go). Interrupted by closing its quit.
//
// The console, and up's manifest watcher, outlive the group: the caller closes
// them after run, and the supervision after them. So does up's control API
// (up_api.go): it answers while the modules stop, and is shut down after run,
// once every module is down, before the supervision is closed; its event
// streams hear of events through sv.api, which never blocks.
func (sv *supervision) run(l lifecycle) {
	var g oklog.Group
	g.Add(func() error { <-sv.stopped; return nil }, func(error) { sv.stop() })
	quitSignals := make(chan struct{})
	g.Add(func() error { sv.handleSignals(l, quitSignals); return nil }, func(error) { close(quitSignals) })
	quitReload := make(chan struct{})
	g.Add(func() error { l.reload(quitReload); return nil }, func(error) { close(quitReload) })
	quitNotifier := make(chan struct{})
	g.Add(func() error { sv.self.run(sv.running.Done(), quitNotifier); return nil }, func(error) { close(quitNotifier) })
	_ = g.Run() // every actor returns nil
}

// handleSignals is the signal actor.
func (sv *supervision) handleSignals(l lifecycle, quit <-chan struct{}) {
	interrupted := false
	for {
		select {
		case sig := <-sv.signals:
			switch {
			case sig == syscall.SIGHUP:
				l.hangup()
			case !interrupted:
				interrupted = true
				l.stopping(signalName(sig))
				sv.stop()
			default:
				l.killing(signalName(sig))
				sv.engine.Kill()
			}
		case <-quit:
			return
		}
	}
}

// stopping tells whether a stop of every module has begun.
func (sv *supervision) stopping() bool { return sv.running.Err() != nil }

// close stops the engine (every module it still supervises), waits for it, and
// then closes the alarm sender and the reaper, in that order (hooks run through
// the reaper), and lets go of the signals.
func (sv *supervision) close() {
	sv.stop()
	<-sv.stopped
	sv.alarms.Close()
	sv.reaper.Close()
	signal.Stop(sv.signals)
}

// notify sends on a channel buffered for one unless a value is waiting already.
func notify(c chan<- struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// alarmSMTP is the manifest's smtp block as the alarm sender takes it.
func alarmSMTP(c manifest.SMTP) alarm.SMTP {
	return alarm.SMTP{Host: c.Host, Port: c.Port, From: c.From, Username: c.Username, Password: c.Password, StartTLS: c.StartTLS}
}

func signalName(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		return manifest.SignalName(s)
	}
	return sig.String()
}
