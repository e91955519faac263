package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/manifest"
	"svman/statusfs"
)

// Dependencies with real processes: the order of starts and stops is what
// the processes themselves wrote, in a file, as they started and stopped.

// orderModule appends "start NAME" to the file order when it runs, prints
// "up", and appends "stop NAME" when SIGTERM comes. It is ready when it has
// printed "up" (a ready log probe), so a dependent that needs it ready
// starts only after its line is in the file.
func (h *harness) orderModule(name string, deps map[string]manifest.Condition) manifest.Module {
	order := filepath.Join(h.status, "order")
	m := h.shModule(name, `trap 'echo "stop `+name+`" >> `+order+`; exit 0' TERM
echo "start `+name+`" >> `+order+`
echo up
sleep 60 & wait`)
	m.DependsOn = deps
	m.Ready = &manifest.Ready{Probe: manifest.Probe{Log: "^up$"}, Timeout: time.Minute, Interval: time.Second, OnTimeout: manifest.ReadyTimeoutRestart}
	return m
}

// order returns the lines of the order file.
func (h *harness) order() []string {
	b, _ := os.ReadFile(filepath.Join(h.status, "order"))
	return strings.Fields(strings.ReplaceAll(string(b), "start ", "start:"))
}

func (h *harness) waitOrder(n int) []string {
	h.t.Helper()
	testkit.WaitFor(h.t, "order file lines", func() bool { return len(h.order()) >= n })
	return h.order()
}

func (h *harness) state(name string) statusfs.State {
	st, _ := statusfs.ReadState(filepath.Join(h.status, name))
	return st
}

func TestDependenciesStartInOrderAndStopInReverse(t *testing.T) {
	h := newHarness(t)
	ready := manifest.CondReady
	// Listed against the order they must start in.
	h.apply(
		h.orderModule("web", map[string]manifest.Condition{"api": ready, "db": ready}),
		h.orderModule("api", map[string]manifest.Condition{"db": ready}),
		h.orderModule("db", nil),
	)
	got := h.waitOrder(3)
	if want := []string{"start:db", "start:api", "start:web"}; !slices.Equal(got, want) {
		t.Errorf("started %v, want %v", got, want)
	}
	testkit.WaitFor(t, "web ready", func() bool { return h.state("web").Ready })
	h.shutdown()
	got = h.order()[3:]
	if want := []string{"stop web", "stop api", "stop db"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("stopped %v, want %v", got, want)
	}
}

func TestWaitingModuleSaysWhyAndStartsOnceReady(t *testing.T) {
	h := newHarness(t)
	h.waitOnManualDB()
	testkit.WaitFor(t, "api waiting for db", func() bool { return h.state("api").Waiting == "db down" })
	if err := statusfs.SendControl(filepath.Join(h.status, "db"), []byte("u")); err != nil {
		t.Fatal(err)
	}
	if got := h.waitOrder(2); !slices.Equal(got, []string{"start:db", "start:api"}) {
		t.Errorf("started %v, want db then api", got)
	}
}

// waitOnManualDB applies db, which starts only when asked, and api, which
// needs it ready, and waits until api says it waits.
func (h *harness) waitOnManualDB() (db, api manifest.Module) {
	h.t.Helper()
	db = h.orderModule("db", nil)
	db.Autostart = false
	api = h.orderModule("api", map[string]manifest.Condition{"db": manifest.CondReady})
	h.apply(db, api)
	testkit.WaitFor(h.t, "api waiting", func() bool { return h.state("api").State == statusfs.RunWaiting })
	return db, api
}

func TestCompletedOneShotLetsItsDependentStart(t *testing.T) {
	h := newHarness(t)
	order := filepath.Join(h.status, "order")
	migrate := h.shModule("migrate", `echo "start migrate" >> `+order)
	migrate.Restart.Policy = manifest.RestartNever
	api := h.orderModule("api", map[string]manifest.Condition{"migrate": manifest.CondCompleted})
	h.apply(api, migrate)
	testkit.WaitFor(t, "api waiting for migrate", func() bool { return len(h.ev.find("api", Waiting)) > 0 })
	if ev := h.ev.find("api", Waiting)[0]; ev.Text != "migrate not completed" {
		t.Errorf("api waited with %q, want for migrate to complete", ev.Text)
	}
	if got := h.waitOrder(2); !slices.Equal(got, []string{"start:migrate", "start:api"}) {
		t.Errorf("started %v, want migrate then api", got)
	}
	if st := h.state("migrate"); !st.Completed || st.State != statusfs.RunDown {
		t.Errorf("migrate's state.json %+v, want down and completed", st)
	}
}

func TestDependencyThatGivesUpBlocksItsDependent(t *testing.T) {
	h := newHarness(t)
	db := h.shModule("db", "exit 3")
	db.Ready = &manifest.Ready{Probe: manifest.Probe{Log: "never"}, Timeout: time.Minute, Interval: time.Second, OnTimeout: manifest.ReadyTimeoutRestart}
	db.Restart.MinUptime = time.Second
	db.Alarm = manifest.Alarm{Interval: time.Minute, MaxTries: 1}
	api := h.orderModule("api", map[string]manifest.Condition{"db": manifest.CondReady})
	h.apply(db, api)
	testkit.WaitFor(t, "api blocked", func() bool { return h.state("api").Waiting == "db failed" })
	testkit.WaitFor(t, "the blocked alarm", func() bool { return len(h.ev.find("api", Alarm)) == 1 })
	if a := h.ev.find("api", Alarm)[0]; !strings.Contains(a.Text, "cannot start: a dependency is down") {
		t.Errorf("alarm %q", a.Text)
	}
	if h.pid("api") != 0 || len(h.order()) != 0 {
		t.Errorf("api ran (pid %d, %v) though db failed", h.pid("api"), h.order())
	}
}

func TestDependencyRestart(t *testing.T) {
	for _, policy := range []manifest.DependencyRestart{manifest.DepRestart, manifest.DepIgnore} {
		t.Run(string(policy), func(t *testing.T) {
			h := newHarness(t)
			db := h.orderModule("db", nil)
			api := h.orderModule("api", map[string]manifest.Condition{"db": manifest.CondReady})
			api.OnDependencyRestart = policy
			h.apply(db, api)
			testkit.WaitFor(t, "api ready", func() bool { return h.state("api").Ready })
			apiPID, dbPID := h.pid("api"), h.pid("db")
			// db dies and is restarted at once.
			if err := statusfs.SendControl(filepath.Join(h.status, "db"), []byte("k")); err != nil {
				t.Fatal(err)
			}
			testkit.WaitFor(t, "db restarted and ready", func() bool {
				return h.pid("db") != dbPID && h.pid("db") != 0 && h.state("db").Ready
			})
			if policy == manifest.DepIgnore {
				// Nothing is to happen to api: wait until the engine has seen
				// db ready again (svman's own report), then look.
				testkit.WaitFor(t, "the engine's look", func() bool { return h.readiness().AllReady })
				h.shutdown() // every event is in once it returns
				if n := len(h.ev.find("api", Started)); n != 1 || h.pid("api") != 0 && h.pid("api") != apiPID {
					t.Errorf("api started %d times though on_dependency_restart = ignore", n)
				}
				return
			}
			testkit.WaitFor(t, "api restarted", func() bool {
				p := h.pid("api")
				return p != 0 && p != apiPID && h.state("api").Ready
			})
			// api's second start came after db's second start.
			got := h.order()
			if i, j := lastIndex(got, "start:db"), lastIndex(got, "start:api"); i > j {
				t.Errorf("order %v: api started again before db", got)
			}
		})
	}
}

func lastIndex(s []string, v string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == v {
			return i
		}
	}
	return -1
}

func TestRemovingADependencyStartsTheWaitingModule(t *testing.T) {
	h := newHarness(t)
	db, api := h.waitOnManualDB()
	api.DependsOn = nil
	h.apply(db, api)
	h.waitUp("api")
	if h.pid("db") != 0 {
		t.Errorf("db started; only api was to")
	}
}

// TestTCPReadyChain: each module listens on its port at once, is ready when a
// tcp probe connects, and the next one waits for it to be ready. The chain is
// ready end to end; every listener runs.
func TestTCPReadyChain(t *testing.T) {
	h := newHarness(t)
	var mods []manifest.Module
	prev := ""
	for i := range 5 {
		addr, err := testkit.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		m := h.module(fmt.Sprintf("m%d", i), "listen", map[string]string{testkit.ListenEnv: addr})
		m.Ready = &manifest.Ready{Probe: manifest.Probe{TCP: addr}, Timeout: time.Minute, Interval: time.Second, OnTimeout: manifest.ReadyTimeoutRestart}
		m.Health = &manifest.Health{Probe: manifest.Probe{TCP: addr}, Interval: time.Second, Timeout: time.Second, Failures: 3}
		if prev != "" {
			m.DependsOn = map[string]manifest.Condition{prev: manifest.CondHealthy}
		}
		prev = m.Name
		mods = append(mods, m)
	}
	h.apply(mods...)
	testkit.WaitFor(t, "the chain ready", func() bool { return h.readiness().AllReady })
	// A step hands out its events after its files: wait for the last one.
	testkit.WaitFor(t, "every ready event", func() bool {
		for _, m := range mods {
			if len(h.ev.find(m.Name, Ready)) == 0 {
				return false
			}
		}
		return true
	})
	for _, m := range mods {
		if st := h.state(m.Name); !st.Ready || st.Unhealthy != 0 {
			t.Errorf("%s: state.json %+v, want ready, no failed check", m.Name, st)
		}
		if evs := h.ev.find(m.Name, Ready); len(evs) != 1 || !strings.Contains(evs[0].String(), "accepts connections") {
			t.Errorf("%s: ready events %v", m.Name, evs)
		}
	}
	// Ready order follows the chain.
	var last time.Time
	for _, m := range mods {
		ev := h.ev.find(m.Name, Ready)[0]
		if ev.Time.Before(last) {
			t.Errorf("%s ready at %v, before its dependency (%v)", m.Name, ev.Time, last)
		}
		last = ev.Time
	}
}

// TestHealthCheckRestartsAModuleThatDoesNotAnswer: a module whose health
// check never passes is restarted after `failures` checks in a row, alarmed
// as unhealthy, and its on_exit hook is told so.
func TestHealthCheckRestartsAModuleThatDoesNotAnswer(t *testing.T) {
	h := newHarness(t)
	addr, err := testkit.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	hook := filepath.Join(h.status, "hook")
	m := h.shModule("svc", "exec sleep 60")
	m.Health = &manifest.Health{Probe: manifest.Probe{TCP: addr}, Interval: 50 * time.Millisecond, Timeout: time.Second, Failures: 2}
	m.Alarm = manifest.Alarm{Interval: time.Minute}
	m.OnExit = []string{"/bin/sh", "-c", `echo "$SVMAN_EVENT" >> ` + hook}
	h.apply(m)
	first := h.waitUp("svc")
	testkit.WaitFor(t, "unhealthy", func() bool { return len(h.ev.find("svc", Unhealthy)) > 0 })
	ev := h.ev.find("svc", Unhealthy)[0]
	if ev.Tries != 2 || !strings.Contains(ev.String(), "connection refused") {
		t.Errorf("unhealthy event %q", ev)
	}
	testkit.WaitFor(t, "restarted", func() bool { p := h.pid("svc"); return p != 0 && p != first })
	// The restart's step writes the status file before it hands out its events.
	testkit.WaitFor(t, "the restart event", func() bool { return len(h.ev.find("svc", Started)) == 2 })
	alarms := h.ev.find("svc", Alarm)
	if len(alarms) != 1 || !strings.Contains(alarms[0].Text, "failed its health checks") {
		t.Errorf("alarms %v, want one: unhealthy", alarms)
	}
	testkit.WaitFor(t, "the hook told", func() bool {
		b, _ := os.ReadFile(hook)
		return strings.HasPrefix(string(b), "unhealthy\n")
	})
}

// TestTakenDownStopsAfterItsDependents: `d` on db, whose dependent api
// restarts with it and takes a while to stop, stops api first, then db.
func TestTakenDownStopsAfterItsDependents(t *testing.T) {
	h := newHarness(t)
	order := filepath.Join(h.status, "order")
	db := h.orderModule("db", nil)
	api := h.shModule("api", `trap 'sleep 0.3; echo "stop api" >> `+order+`; exit 0' TERM
echo up
sleep 60 & wait`)
	api.DependsOn = map[string]manifest.Condition{"db": manifest.CondReady}
	api.OnDependencyRestart = manifest.DepRestart
	api.Ready = &manifest.Ready{Probe: manifest.Probe{Log: "^up$"}, Timeout: time.Minute, Interval: time.Second, OnTimeout: manifest.ReadyTimeoutRestart}
	h.apply(db, api)
	testkit.WaitFor(t, "api ready", func() bool { return h.state("api").Ready })
	if err := statusfs.SendControl(filepath.Join(h.status, "db"), []byte("d")); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(h.waitOrder(5), " ")
	if want := "start:db stop api stop db"; got != want {
		t.Errorf("order %q, want %q", got, want)
	}
	testkit.WaitFor(t, "api waiting", func() bool { return h.state("api").Waiting == "db down (operator)" })
}

// TestReleasedWaitingModuleTakenBackStillWaits: `x` then `u` of a module
// that waits for its dependency does not start it past the dependency.
func TestReleasedWaitingModuleTakenBackStillWaits(t *testing.T) {
	h := newHarness(t)
	h.waitOnManualDB()
	apiDir := filepath.Join(h.status, "api")
	if err := statusfs.SendControl(apiDir, []byte("x")); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "api released", func() bool { return len(h.ev.find("api", Released)) > 0 })
	if err := statusfs.SendControl(apiDir, []byte("u")); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "api taken back, waiting", func() bool { return len(h.ev.find("api", Waiting)) == 2 })
	if n := len(h.ev.find("api", Started)); n != 0 || len(h.order()) != 0 {
		t.Errorf("api started %d times (order %v) while db is down", n, h.order())
	}
}

// TestHungHealthCheckIsKilledAndFails: an exec health check that hangs is
// killed at its timeout, which counts as a failure.
func TestHungHealthCheckIsKilledAndFails(t *testing.T) {
	h := newHarness(t)
	marker := filepath.Join(h.status, "probe-ran")
	m := h.shModule("svc", "exec sleep 60")
	m.Health = &manifest.Health{Probe: manifest.Probe{Exec: []string{"/bin/sh", "-c", "echo $$ >> " + marker + "; exec sleep 60"}},
		Interval: 50 * time.Millisecond, Timeout: 200 * time.Millisecond, Failures: 1}
	h.apply(m)
	testkit.WaitFor(t, "unhealthy", func() bool { return len(h.ev.find("svc", Unhealthy)) > 0 })
	if ev := h.ev.find("svc", Unhealthy)[0]; !strings.Contains(ev.String(), "timed out after 200ms") {
		t.Errorf("unhealthy event %q, want the timeout", ev)
	}
	b, _ := os.ReadFile(marker)
	pid, err := strconv.Atoi(strings.Fields(string(b))[0])
	if err != nil {
		t.Fatalf("the probe's pid: %q", b)
	}
	testkit.WaitFor(t, "the hung probe gone", func() bool { return !alive(pid) })
}
