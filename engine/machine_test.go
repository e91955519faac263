package engine

import (
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"svman/manifest"
	"svman/statusfs"
)

// The supervisor's state machine, driven through its effects interface by a
// fake system (fakefx_test.go) under synctest: no process, and time is fake, so
// a 5s stop_timeout or a 4s backoff takes no time. Each case runs one module from
// its first start to its release and asserts what a user sees: events, the
// status file and state.json.

// machineModule is the module every case starts from.
func machineModule() manifest.Module {
	return manifest.Module{
		Name: "m", Command: []string{"prog"}, Dir: "/", Autostart: true,
		StopSignal: syscall.SIGTERM, StopTimeout: 5 * time.Second,
		Restart: manifest.Restart{Policy: manifest.RestartAlways, ExitCodes: []int{0},
			Delay: time.Second, MaxDelay: 4 * time.Second, MinUptime: time.Second},
	}
}

func TestMachine(t *testing.T) {
	forever := childPlan{}
	short := childPlan{runFor: 100 * time.Millisecond, code: 1}
	for _, tc := range []struct {
		name     string
		mod      func(*manifest.Module)
		plans    []childPlan
		before   func(*statusfs.Dir)
		leftDies []syscall.Signal
		run      func(m *machine)
	}{{
		name: "start",
		run: func(m *machine) {
			ev := m.expect(Started)[0]
			if st := m.status(); st.PID != ev.PID || st.Want != statusfs.WantUp || st.Paused {
				m.t.Errorf("status %+v after the start of pid %d", st, ev.PID)
			}
			if st := m.state(); st.State != statusfs.RunUp {
				m.t.Errorf("state.json %+v, want up", st)
			}
		},
	}, {
		name:  "a run longer than min_uptime restarts at once",
		plans: []childPlan{{runFor: 2 * time.Second, code: 1}},
		run: func(m *machine) {
			evs := m.expect(Started, Exited, Restarting, Started)
			if evs[1].Uptime != 2*time.Second || evs[1].Exit.Code != 1 {
				m.t.Errorf("exit %+v, want code 1 after 2s", evs[1])
			}
			if evs[2].Delay != 0 || evs[3].Time != evs[1].Time {
				m.t.Errorf("restart %v, started at %v after an exit at %v: want at once", evs[2], m.at(evs[3]), m.at(evs[1]))
			}
		},
	}, {
		name:  "short runs back off 1s, 2s, 4s up to max_delay",
		plans: []childPlan{short},
		run: func(m *machine) {
			var starts []time.Time
			for i := 0; i < 5; i++ {
				starts = append(starts, m.expect(Started)[0].Time)
				evs := m.expect(Exited, Restarting)
				if st := m.state(); st.State != statusfs.RunBackoff || st.Fails != i+1 {
					m.t.Errorf("state.json %+v after run %d, want backoff after %d fails", st, i+1, i+1)
				}
				if st := m.status(); st.PID != 0 {
					m.t.Errorf("status pid %d while backing off", st.PID)
				}
				want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second}[i]
				// The delay runs from the start of the short run, not from its exit.
				r := evs[1]
				if due := evs[0].Time.Add(r.Delay).Sub(starts[i]); !within(due, want) || due > 4*time.Second || r.Tries != i+1 {
					m.t.Errorf("after run %d: restarting in %v (crash loop of %d), %v after its start; want %v (±10%%, at most max_delay) after %d short runs", i+1, r.Delay, r.Tries, due, want, i+1)
				}
			}
			for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second} {
				if d := starts[i+1].Sub(starts[i]); !within(d, want) || d > 4*time.Second {
					m.t.Errorf("start %d came %v after the one before, want %v (±10%%, at most max_delay)", i+2, d, want)
				}
			}
		},
	}, {
		name:  "a failed start is retried like a crash",
		plans: []childPlan{{startErr: errNoSuchProgram}, forever},
		run: func(m *machine) {
			evs := m.expect(StartFailed, Restarting)
			if evs[0].Err != errNoSuchProgram || evs[1].Delay != time.Second {
				m.t.Errorf("events %v, want the start's error and a retry in 1s", evs)
			}
			if ev := m.expect(Started)[0]; m.at(ev) != time.Second {
				m.t.Errorf("started again after %v, want 1s", m.at(ev))
			}
		},
	}, {
		name: "a stop ends when the group dies at the stop signal",
		run: func(m *machine) {
			pid := m.expect(Started)[0].PID
			m.ctl("d")
			evs := m.expect(Command, Stopping, Exited, Stopped)
			if !evs[2].Stopping || evs[2].Exit.Signal != syscall.SIGTERM || m.at(evs[3]) != 0 {
				m.t.Errorf("events %v, want an exit by SIGTERM during the stop, at once", evs)
			}
			m.wantSignals(group(pid, syscall.SIGTERM), group(pid, syscall.SIGCONT))
			if st := m.status(); st.PID != 0 || st.Want != statusfs.WantDown {
				m.t.Errorf("status %+v after d", st)
			}
			if st := m.state(); st.State != statusfs.RunDown || st.Reason != statusfs.DownByOperator {
				m.t.Errorf("state.json %+v after d", st)
			}
		},
	}, {
		name:  "a stop escalates to SIGKILL after stop_timeout",
		plans: []childPlan{{ignore: []syscall.Signal{syscall.SIGTERM}}},
		run: func(m *machine) {
			pid := m.expect(Started)[0].PID
			m.ctl("d")
			m.expect(Command, Stopping)
			evs := m.expect(Escalated, Exited, Stopped)
			if m.at(evs[0]) != 5*time.Second || evs[1].Exit.Signal != syscall.SIGKILL {
				m.t.Errorf("events %v: want SIGKILL at stop_timeout (5s), at %v", evs, m.at(evs[0]))
			}
			m.wantSignals(group(pid, syscall.SIGTERM), group(pid, syscall.SIGCONT), group(pid, syscall.SIGKILL))
		},
	}, {
		name:  "a stop waits for the group, not only its leader",
		plans: []childPlan{{stragglers: []syscall.Signal{syscall.SIGKILL}}},
		run: func(m *machine) {
			m.expect(Started)
			m.ctl("d")
			evs := m.expect(Command, Stopping, Exited)
			if m.at(evs[2]) != 0 {
				m.t.Errorf("the leader exited at %v, want at the signal", m.at(evs[2]))
			}
			evs = m.expect(Escalated, Stopped)
			if m.at(evs[0]) != 5*time.Second || m.at(evs[1]) != 5*time.Second {
				m.t.Errorf("events %v: want the group killed at stop_timeout and the module down then", evs)
			}
		},
	}, {
		name: "pause and continue",
		run: func(m *machine) {
			pid := m.expect(Started)[0].PID
			m.ctl("p")
			m.expect(Command, Paused)
			if !m.status().Paused {
				m.t.Error("status not paused after p")
			}
			m.wantSignals(group(pid, syscall.SIGSTOP))
			m.ctl("c")
			m.expect(Command, Continued)
			if m.status().Paused {
				m.t.Error("status paused after c")
			}
			m.wantSignals(group(pid, syscall.SIGCONT))
		},
	}, {
		name:  "once runs the module one time",
		mod:   func(mod *manifest.Module) { mod.Autostart = false },
		plans: []childPlan{{runFor: 2 * time.Second}},
		run: func(m *machine) {
			if st := m.status(); st.Want != statusfs.WantDown || st.PID != 0 {
				m.t.Errorf("status %+v of a module that starts down", st)
			}
			m.ctl("o")
			m.expect(Command, Started)
			evs := m.expect(Exited, Stopped)
			if m.at(evs[1]) != 2*time.Second {
				m.t.Errorf("down at %v, want at its exit (2s)", m.at(evs[1]))
			}
			if st := m.state(); st.State != statusfs.RunDown {
				m.t.Errorf("state.json %+v after a run of o", st)
			}
		},
	}, {
		name:  "too many exits in the alarm window give up until u",
		mod:   func(mod *manifest.Module) { mod.Alarm = manifest.Alarm{Interval: time.Minute, MaxTries: 2} },
		plans: []childPlan{short, short, short, forever},
		run: func(m *machine) {
			m.expect(Started, Exited, Alarm, Restarting)
			m.expect(Started, Exited, Restarting)
			evs := m.expect(Started, Exited, GaveUp, Alarm)
			if evs[2].Tries != 3 {
				m.t.Errorf("gave up after %d exits, want 3", evs[2].Tries)
			}
			if st := m.state(); st.State != statusfs.RunFailed || st.Reason != statusfs.DownByPolicy {
				m.t.Errorf("state.json %+v after giving up", st)
			}
			if st := m.status(); st.Want != statusfs.WantDown || st.PID != 0 {
				m.t.Errorf("status %+v after giving up", st)
			}
			m.ctl("u")
			m.expect(Command, Started)
		},
	}, {
		name: "x ends the supervision of a module that is down",
		mod:  func(mod *manifest.Module) { mod.Autostart = false },
		run: func(m *machine) {
			m.ctl("x")
			m.expect(Command, Released)
			<-m.s.done
			if st := m.state(); st.State != statusfs.RunDown || st.Reason != statusfs.DownByRelease {
				m.t.Errorf("state.json %+v after x", st)
			}
		},
	}, {
		name: "x ends the supervision once the child has exited",
		run: func(m *machine) {
			pid := m.expect(Started)[0].PID
			m.ctl("x")
			m.expect(Command)
			m.wantSignals() // x stops nothing
			m.fx.exitNow(pid, 0)
			m.expect(Exited, Released)
			<-m.s.done
		},
	}, {
		name: "removal stops the child and ends supervision",
		run: func(m *machine) {
			m.expect(Started)
			m.s.send(supMsg{kind: msgRelease})
			m.expect(Stopping, Exited, Released)
			<-m.s.done
			if st := m.status(); st.Want != statusfs.WantDown || st.PID != 0 {
				m.t.Errorf("status %+v after removal", st)
			}
			if st := m.state(); st.Reason != statusfs.DownByRemoval {
				m.t.Errorf("state.json %+v after removal", st)
			}
		},
	}, {
		name:  "a reload of the policy applies in place",
		plans: []childPlan{{ignore: []syscall.Signal{syscall.SIGTERM}}},
		run: func(m *machine) {
			pid := m.expect(Started)[0].PID
			mod := machineModule()
			mod.StopTimeout = 2 * time.Second
			m.s.send(supMsg{kind: msgUpdate, mod: &mod})
			synctest.Wait() // the update is applied before d is written: the loop takes events in no set order
			m.ctl("d")
			m.expect(Command, Stopping)
			if ev := m.expect(Escalated)[0]; ev.PID != pid || m.at(ev) != 2*time.Second {
				m.t.Errorf("escalated %v at %v, want the same child killed after the new stop_timeout (2s)", ev, m.at(ev))
			}
			m.expect(Exited, Stopped)
		},
	}, {
		name: "a reload of the process restarts it with its new command",
		run: func(m *machine) {
			old := m.expect(Started)[0].PID
			mod := machineModule()
			mod.Command = []string{"prog2"}
			m.s.send(supMsg{kind: msgReplace, mod: &mod})
			evs := m.expect(Stopping, Exited, Started)
			if evs[1].PID != old || evs[2].PID == old {
				m.t.Errorf("events %v, want the old child stopped and a new one started", evs)
			}
			if c := m.fx.child(evs[2].PID); c.spec.Argv[0] != "prog2" {
				m.t.Errorf("restarted with %v, want the new command", c.spec.Argv)
			}
		},
	}, {
		name:  "a reload while a replacement waits for the old child goes to the replacement",
		plans: []childPlan{{ignore: []syscall.Signal{syscall.SIGTERM}}},
		run: func(m *machine) {
			// An update (policy) or a rebase (no change) that comes while the
			// old child stops is of the manifest in force: the replacement's.
			for _, kind := range []msgKind{msgUpdate, msgRebase} {
				m.expect(Started)
				next := machineModule()
				next.Command = []string{"prog2"}
				m.s.send(supMsg{kind: msgReplace, mod: &next})
				m.expect(Stopping)
				again := machineModule()
				again.Command = []string{"prog3"}
				m.s.send(supMsg{kind: kind, mod: &again})
				evs := m.expect(Escalated, Exited, Started)
				if c := m.fx.child(evs[2].PID); c.spec.Argv[0] != "prog3" {
					m.t.Errorf("message %d: the replacement runs %v, want the settings that came while the old child stopped", kind, c.spec.Argv)
				}
				m.ctl("k") // a start for the next round
				m.expect(Command, Signaled, Exited, Restarting)
			}
		},
	}, {
		name:  "a second interrupt kills at once",
		plans: []childPlan{{ignore: []syscall.Signal{syscall.SIGTERM}}},
		run: func(m *machine) {
			pid := m.expect(Started)[0].PID
			m.s.send(supMsg{kind: msgRelease})
			m.expect(Stopping)
			m.s.send(supMsg{kind: msgKill})
			evs := m.expect(Killed, Exited, Released)
			if m.at(evs[2]) != 0 {
				m.t.Errorf("released at %v, want at once", m.at(evs[2]))
			}
			m.wantSignals(group(pid, syscall.SIGTERM), group(pid, syscall.SIGCONT), group(pid, syscall.SIGKILL))
			<-m.s.done
		},
	}, {
		name:   "what a killed svman left is stopped before the first start",
		before: writeLeftoverStatus,
		run: func(m *machine) {
			evs := m.expect(Warning, Started)
			if m.at(evs[1]) != 0 {
				m.t.Errorf("started at %v, want once the leftovers died at the stop signal", m.at(evs[1]))
			}
			m.wantSignals(group(50, syscall.SIGTERM), group(50, syscall.SIGCONT))
		},
	}, {
		name:     "leftovers that ignore the stop signal are killed at stop_timeout",
		before:   writeLeftoverStatus,
		leftDies: []syscall.Signal{syscall.SIGKILL},
		run: func(m *machine) {
			evs := m.expect(Warning, Started)
			if d := m.at(evs[1]); d < 5*time.Second || d > 5*time.Second+pollMax {
				m.t.Errorf("started at %v, want at stop_timeout (5s), once SIGKILL ended the leftovers", d)
			}
			m.wantSignals(group(50, syscall.SIGTERM), group(50, syscall.SIGCONT), group(50, syscall.SIGKILL))
		},
	}, {
		name:     "leftovers that survive SIGKILL hold the start back 5s more",
		before:   writeLeftoverStatus,
		leftDies: []syscall.Signal{},
		run: func(m *machine) {
			evs := m.expect(Warning, Warning, Started)
			if m.at(evs[1]) != 10*time.Second || m.at(evs[2]) != 10*time.Second {
				m.t.Errorf("events %v at %v: want the warning and the start 5s after SIGKILL (10s)", evs, m.at(evs[2]))
			}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				mod := machineModule()
				if tc.mod != nil {
					tc.mod(&mod)
				}
				fx := newFakeFX(tc.plans...)
				if tc.before != nil {
					fx.leftover, fx.leftDies = 50, tc.leftDies
				}
				m := startMachine(t, mod, fx, tc.before)
				defer m.release() // also after a failure: the bubble must end
				tc.run(m)
			})
		})
	}
}

// writeLeftoverStatus is the status file a killed svman left: its child was
// pid 50, which leads the leftover group of the fake system.
func writeLeftoverStatus(d *statusfs.Dir) {
	_ = d.WriteStatus(statusfs.Status{PID: 50, Changed: time.Now(), Want: statusfs.WantUp})
}
