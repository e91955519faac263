package engine

import (
	"time"

	"svman/internal/probe"
	"svman/internal/proc"
	"svman/internal/sdnotify"
	"svman/manifest"
)

// systemFx is the engine's real effects: the system's processes and
// descriptors (*proc.System), its starts and its probes, each bounded for
// every module at once, and its notify sockets.
type systemFx struct {
	*proc.System
	probes   *probe.Runner
	starting chan struct{} // a token for each Start under way
}

func newSystemFx(sys *proc.System) systemFx {
	return systemFx{System: sys, probes: probe.NewRunner(sys, 0), starting: make(chan struct{}, proc.StartsAtOnce)}
}

// Start is the System's, proc.StartsAtOnce at a time at most: the descriptors
// each start holds until its child is forked are then part of the fixed
// reserve of svman's open-files limit (proc.FilesNeeded), however many modules
// start together. The reaper forks on a few threads (one per CPU, at most
// four) anyway, so a start waits here about as long as it would have waited
// for a forking thread.
func (fx systemFx) Start(spec proc.Spec, out proc.Output) (proc.Child, error) {
	fx.starting <- struct{}{}
	defer func() { <-fx.starting }()
	return fx.System.Start(spec, out)
}

func (fx systemFx) Probe(p manifest.Probe, spec proc.Spec, timeout time.Duration, done func(error)) func() {
	t := probe.Target{Dir: spec.Dir, Env: spec.Env, User: spec.User, Group: spec.Group}
	return fx.probes.Go(p, t, timeout, done)
}

func (fx systemFx) ListenNotify(deliver func(Notification)) (NotifySocket, error) {
	return sdnotify.Listen(func(m sdnotify.Message) {
		deliver(Notification{
			PID: m.PID, PGID: fx.ProcessGroup(m.PID), Ready: m.Ready, Stopping: m.Stopping, Reloading: m.Reloading,
			Watchdog: m.Watchdog, Status: m.Status, HasStatus: m.HasStatus, MainPID: m.MainPID,
		})
	})
}

func (systemFx) ProcessGroup(pid int) int {
	pgid, err := proc.ProcessGroup(pid)
	if err != nil {
		return 0
	}
	return pgid
}
