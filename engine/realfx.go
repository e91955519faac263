package engine

import (
	"time"

	"svman/internal/probe"
	"svman/internal/proc"
	"svman/internal/sdnotify"
	"svman/manifest"
)

// systemFx is the engine's real effects: the system's processes and
// descriptors (*proc.System), its probes, bounded by one runner for every
// module, and its notify sockets.
type systemFx struct {
	*proc.System
	probes *probe.Runner
}

func newSystemFx(sys *proc.System) systemFx {
	return systemFx{System: sys, probes: probe.NewRunner(sys, 0)}
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
