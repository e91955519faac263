package engine

import (
	"errors"
	"time"

	"svman/internal/proc"
	"svman/manifest"
)

// systemFx is the engine's real effects: the system's processes and
// descriptors (*proc.System), its probes and its notify sockets.
type systemFx struct {
	*proc.System
}

func (systemFx) Probe(p manifest.Probe, spec proc.Spec, timeout time.Duration, done func(error)) func() {
	go done(errors.New("probes are not available"))
	return func() {}
}

func (systemFx) ListenNotify(deliver func(Notification)) (NotifySocket, error) {
	return nil, errors.New("notify sockets are not available")
}

func (systemFx) ProcessGroup(pid int) int { return 0 }
