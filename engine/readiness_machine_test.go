package engine

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"svman/manifest"
	"svman/statusfs"
)

// The new states of the state machine (waiting, starting, ready, unhealthy),
// driven by the fake system under synctest like TestMachine: probe results
// are scripted, notify datagrams are handed to the supervisor as the socket's
// reader would, and the engine's gate is sent as the engine sends it.

var errRefused = errors.New("connect 127.0.0.1:9: connection refused")

func readyModule(mod *manifest.Module) {
	mod.Ready = &manifest.Ready{
		Probe:   manifest.Probe{TCP: "127.0.0.1:9"},
		Timeout: 10 * time.Second, Interval: time.Second, OnTimeout: manifest.ReadyTimeoutRestart,
	}
}

func healthModule(mod *manifest.Module) {
	mod.Health = &manifest.Health{Probe: manifest.Probe{TCP: "127.0.0.1:9"}, Interval: 10 * time.Second, Timeout: 2 * time.Second, Failures: 3}
}

func TestMachineReadiness(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mod    func(*manifest.Module)
		probes []error
		gate   *gate
		run    func(m *machine)
	}{{
		name: "a module without a ready block is ready once started",
		run: func(m *machine) {
			m.expect(Started)
			if st := m.state(); st.State != statusfs.RunUp || !st.Ready {
				m.t.Errorf("state.json %+v, want up and ready", st)
			}
		},
	}, {
		name:   "a ready probe backs off from 1ms until it passes",
		mod:    readyModule,
		probes: []error{errRefused, errRefused, errRefused, nil},
		run: func(m *machine) {
			start := m.expect(Started)[0]
			if st := m.state(); st.State != statusfs.RunUp || st.Ready {
				m.t.Errorf("state.json %+v while the probe fails, want up, not ready", st)
			}
			ready := m.expect(Ready)[0]
			// Attempts at 0, 1ms, 2.25ms, 3.813ms: the fourth passes.
			if d := ready.Time.Sub(start.Time); d != 3813*time.Microsecond {
				m.t.Errorf("ready %v after the start, want 3.813ms (back-off 1, 1.25, 1.563ms)", d)
			}
			if !strings.Contains(ready.String(), "127.0.0.1:9 accepts connections") {
				m.t.Errorf("ready event %q does not say how", ready)
			}
			if st := m.state(); !st.Ready {
				m.t.Errorf("state.json %+v once ready", st)
			}
		},
	}, {
		name:   "a module not ready within its timeout is restarted",
		mod:    readyModule,
		probes: []error{errRefused},
		run: func(m *machine) {
			evs := m.expect(Started, NotReady, Stopping, Exited, Restarting, Started)
			if d := m.at(evs[1]); d != 10*time.Second {
				m.t.Errorf("not ready after %v, want the 10s timeout", d)
			}
			if !strings.Contains(evs[1].String(), "connection refused") {
				m.t.Errorf("event %q does not say why", evs[1])
			}
		},
	}, {
		name: "on_timeout keep raises not_ready and keeps the module",
		mod: func(mod *manifest.Module) {
			readyModule(mod)
			mod.Ready.OnTimeout = manifest.ReadyTimeoutKeep
		},
		probes: append(slices.Repeat([]error{errRefused}, 40), nil), // passes at about 25s
		run: func(m *machine) {
			evs := m.expect(Started, NotReady, Alarm, Ready)
			if !strings.HasSuffix(evs[2].Text, "Service m was not ready in time!") {
				m.t.Errorf("alarm %q, want not_ready's", evs[2].Text)
			}
		},
	}, {
		name:   "health checks failing three times in a row restart the module",
		mod:    healthModule,
		probes: []error{nil, errRefused, errRefused, errRefused, nil},
		run: func(m *machine) {
			evs := m.expect(Started, Warning, Warning, Unhealthy, Stopping, Exited, Restarting, Started)
			if d := m.at(evs[3]); d != 30*time.Second {
				m.t.Errorf("unhealthy after %v, want after checks at 0, 10s, 20s, 30s", d)
			}
			if evs[3].Tries != 3 {
				m.t.Errorf("unhealthy event %v, want 3 checks in a row", evs[3])
			}
		},
	}, {
		name:   "a flapping health check never fails three times in a row: no restart",
		mod:    healthModule,
		probes: []error{nil, errRefused, nil, errRefused, nil, errRefused, nil},
		run: func(m *machine) {
			m.expect(Started)
			for _, ev := range m.expect(Warning, Warning, Warning) {
				if !strings.Contains(ev.String(), "health check failed (1 of 3)") {
					m.t.Errorf("warning %q, want the first of 3 failures each time", ev)
				}
			}
			time.Sleep(time.Minute) // fake time: the checks pass from then on
			synctest.Wait()
			if st := m.state(); st.State != statusfs.RunUp || st.Unhealthy != 0 {
				m.t.Errorf("state.json %+v, want up, the last check passed", st)
			}
		},
	}, {
		name: "READY=1 from the child makes it ready; from another process it does not",
		mod: func(mod *manifest.Module) {
			mod.Ready = &manifest.Ready{Notify: true, Timeout: 10 * time.Second, Interval: time.Second, OnTimeout: manifest.ReadyTimeoutRestart}
		},
		run: func(m *machine) {
			pid := m.expect(Started)[0].PID
			m.fx.notifyFrom(9999, Notification{Ready: true})
			m.fx.notifyFrom(pid, Notification{Status: "loading cache", HasStatus: true})
			synctest.Wait()
			if st := m.state(); st.Ready || st.Status != "loading cache" {
				m.t.Errorf("state.json %+v, want not ready (a stranger's READY=1), status from the child", st)
			}
			m.fx.notifyFrom(pid, Notification{Ready: true})
			if ev := m.expect(Ready)[0]; ev.Text != "READY=1" {
				m.t.Errorf("ready event %v", ev)
			}
			if env := strings.Join(m.fx.child(pid).spec.Env, " "); !strings.Contains(env, "NOTIFY_SOCKET=@fake") {
				m.t.Errorf("the child's environment lacks NOTIFY_SOCKET: %s", env)
			}
		},
	}, {
		name: "a module whose dependencies are not met waits, then starts",
		gate: &gate{why: "db not ready"},
		run: func(m *machine) {
			if ev := m.expect(Waiting)[0]; ev.Text != "db not ready" {
				m.t.Errorf("waiting event %v", ev)
			}
			if st := m.state(); st.State != statusfs.RunWaiting || st.Waiting != "db not ready" {
				m.t.Errorf("state.json %+v, want waiting for db", st)
			}
			if st := m.status(); st.Want != statusfs.WantUp || st.PID != 0 {
				m.t.Errorf("status %+v while waiting, want up and no pid", st)
			}
			m.s.send(supMsg{kind: msgGate, gate: &openGate})
			m.expect(Started)
		},
	}, {
		name: "a module that cannot start says so and alarms once",
		gate: &gate{why: "db failed", blocked: true},
		run: func(m *machine) {
			evs := m.expect(Waiting, Alarm)
			if !strings.Contains(evs[1].Text, "cannot start: a dependency is down") {
				m.t.Errorf("alarm %q", evs[1].Text)
			}
			m.s.send(supMsg{kind: msgGate, gate: &gate{why: "db failed, cache failed", blocked: true}})
			synctest.Wait() // a new reason of the same kind is no event, only state.json's
			if st := m.state(); st.Waiting != "db failed, cache failed" {
				m.t.Errorf("state.json %+v, want the new reason", st)
			}
			m.s.send(supMsg{kind: msgGate, gate: &gate{why: "cache not ready"}})
			if ev := m.expect(Waiting)[0]; ev.Text != "cache not ready" {
				m.t.Errorf("event %v: no longer blocked is an event", ev)
			}
			m.s.send(supMsg{kind: msgGate, gate: &openGate})
			m.expect(Started)
		},
	}, {
		name: "on_dependency_restart restart stops with the dependency and starts after it",
		mod:  func(mod *manifest.Module) { mod.OnDependencyRestart = manifest.DepRestart },
		run: func(m *machine) {
			m.expect(Started)
			m.s.send(supMsg{kind: msgGate, gate: &gate{why: "db not ready"}})
			m.expect(Stopping, Exited, Waiting)
			m.s.send(supMsg{kind: msgGate, gate: &gate{open: true, epoch: 2}})
			m.expect(Started)
			m.s.send(supMsg{kind: msgGate, gate: &gate{open: true, epoch: 3}}) // db restarted between two looks
			m.expect(Stopping, Exited, Started)
		},
	}, {
		name: "taken down, a module its dependents restart with waits until they have stopped",
		run: func(m *machine) {
			m.expect(Started)
			m.s.send(supMsg{kind: msgDependents, held: true})
			synctest.Wait() // taken before the command
			m.ctl("d")
			if ev := m.expect(Command, Waiting)[1]; ev.Text != "its dependents stop first" {
				m.t.Errorf("event %v", ev)
			}
			m.s.send(supMsg{kind: msgProceed})
			m.expect(Stopping, Exited, Stopped)
		},
	}, {
		name: "RELOADING=1 makes it not ready, and its health checks wait for READY=1",
		mod: func(mod *manifest.Module) {
			mod.Ready = &manifest.Ready{Notify: true, Timeout: 10 * time.Second, Interval: time.Second, OnTimeout: manifest.ReadyTimeoutRestart}
			healthModule(mod)
		},
		run: func(m *machine) {
			pid := m.expect(Started)[0].PID
			m.fx.notifyFrom(pid, Notification{Ready: true})
			m.expect(Ready)
			calls := m.fx.probeCalls
			m.fx.notifyFrom(pid, Notification{Reloading: true})
			m.expect(Notified)
			time.Sleep(time.Minute) // fake time: six health intervals
			synctest.Wait()
			if st := m.state(); st.Ready {
				m.t.Errorf("state.json %+v while reloading", st)
			}
			m.fx.mu.Lock()
			during := m.fx.probeCalls - calls
			m.fx.mu.Unlock()
			if during != 0 {
				m.t.Errorf("%d health checks while reloading, want none until READY=1", during)
			}
			m.fx.notifyFrom(pid, Notification{Ready: true})
			if ev := m.expect(Ready)[0]; ev.Text != "READY=1" {
				m.t.Errorf("ready again by %q, want READY=1", ev.Text)
			}
		},
	}, {
		name: "on_dependency_restart ignore keeps running",
		run: func(m *machine) {
			m.expect(Started)
			m.s.send(supMsg{kind: msgGate, gate: &gate{why: "db not ready"}})
			m.ctl("d") // the next event is the command's: the gate changed nothing
			m.expect(Command, Stopping)
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				mod := machineModule()
				if tc.mod != nil {
					tc.mod(&mod)
				}
				fx := newFakeFX()
				fx.probeResults(tc.probes...)
				g := openGate
				if tc.gate != nil {
					g = *tc.gate
				}
				m := startMachineGated(t, mod, fx, nil, g)
				defer m.release()
				tc.run(m)
			})
		})
	}
}

func TestMachineChecksChangeInPlace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mod := machineModule()
		fx := newFakeFX()
		fx.probeResults(errRefused)
		m := startMachine(t, mod, fx, nil)
		defer m.release()
		pid := m.expect(Started)[0].PID
		// A health block added by a reload: checks begin, no restart.
		next := mod
		healthModule(&next)
		next.Health.Failures = 1
		m.s.send(supMsg{kind: msgUpdate, mod: &next})
		evs := m.expect(Unhealthy, Stopping, Exited, Restarting, Started)
		if evs[0].Time != m.t0 {
			t.Errorf("unhealthy at %v, want at once after the reload", m.at(evs[0]))
		}
		if evs[2].PID != pid {
			t.Errorf("exit of pid %d, want the first child %d", evs[2].PID, pid)
		}
	})
}
