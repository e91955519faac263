package engine

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"svman/alarm"
	"svman/internal/testkit"
	"svman/manifest"
	"svman/statusfs"
)

// webhook is a real HTTP server on loopback that records the alarms it receives.
type webhook struct {
	*httptest.Server
	mu    sync.Mutex
	facts []alarm.Facts
	block chan struct{} // when set, requests wait for it to close
	in    chan struct{} // a request arrived
}

func newWebhook(t *testing.T, block bool) *webhook {
	w := &webhook{in: make(chan struct{}, 100)}
	if block {
		w.block = make(chan struct{})
	}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var f alarm.Facts
		json.NewDecoder(r.Body).Decode(&f)
		w.mu.Lock()
		w.facts = append(w.facts, f)
		w.mu.Unlock()
		w.in <- struct{}{}
		if w.block != nil {
			<-w.block
		}
	}))
	t.Cleanup(func() {
		if w.block != nil {
			close(w.block)
		}
		w.Close()
	})
	return w
}

func (w *webhook) events() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, f := range w.facts {
		out = append(out, f.Module+":"+f.Event)
	}
	return out
}

func withAlarms(timeout time.Duration) func(*Config) {
	return func(c *Config) {
		c.Alarms = alarm.NewSender(alarm.Config{Timeout: timeout})
	}
}

// More exits than max_tries in one window: the module fails, wants down, says why,
// and alarms exactly twice (the window's first exit, and the give-up). `u` re-arms it.
func TestGiveUpAfterMaxTriesAndRearm(t *testing.T) {
	hook := newWebhook(t, false)
	h := newHarness(t, withAlarms(5*time.Second))
	m := h.shModule("flaky", "exit 3")
	m.Alarm = manifest.Alarm{Interval: time.Hour, MaxTries: 2, Webhook: hook.URL}
	h.apply(m)
	dir := filepath.Join(h.status, "flaky")
	testkit.WaitFor(t, "the give-up", func() bool { return h.ev.count("flaky", GaveUp) == 1 })
	if n := h.ev.count("flaky", Exited); n != 3 {
		t.Errorf("%d exits before giving up, want 3 (more than max_tries 2)", n)
	}
	st, _ := statusfs.ReadStatus(dir)
	if st.PID != 0 || st.Want != statusfs.WantDown {
		t.Errorf("status after giving up: %+v, want pid 0 and want d", st)
	}
	if s, err := statusfs.ReadState(dir); err != nil || s.State != statusfs.RunFailed {
		t.Errorf("state.json = %+v, %v; want failed", s, err)
	}
	wf, _ := os.ReadFile(filepath.Join(dir, "supervise.log.wf"))
	if !strings.Contains(string(wf), "supervise refused to restart flaky any more") {
		t.Errorf("supervise.log.wf lacks the give-up:\n%s", wf)
	}
	testkit.WaitFor(t, "two alarms delivered", func() bool { return len(hook.events()) == 2 })
	if got := strings.Join(hook.events(), " "); got != "flaky:exited flaky:gave_up" {
		t.Errorf("alarms = %s", got)
	}

	if err := statusfs.SendControl(dir, []byte("u")); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the second give-up after u re-armed", func() bool { return h.ev.count("flaky", GaveUp) == 2 })
	if n := h.ev.count("flaky", Exited); n != 6 {
		t.Errorf("%d exits in all, want 6: u must reset the counters", n)
	}
}

// `s` silences delivery (the try limit still applies), `n` turns it back on.
func TestSilenceSuppressesDelivery(t *testing.T) {
	hook := newWebhook(t, false)
	h := newHarness(t, withAlarms(5*time.Second))
	m := h.module("quiet", "showenv", nil)
	m.Autostart = false
	m.Alarm = manifest.Alarm{Interval: time.Hour, MaxTries: 1, Webhook: hook.URL}
	h.apply(m)
	dir := filepath.Join(h.status, "quiet")
	statusfs.SendControl(dir, []byte("s"))
	testkit.WaitFor(t, "alarms off in status", func() bool { st, _ := statusfs.ReadStatus(dir); return !st.AlarmsOn })
	statusfs.SendControl(dir, []byte("u"))
	pid := h.waitUp("quiet")
	syscall.Kill(pid, syscall.SIGKILL)
	pid = waitNewPID(h, "quiet", pid)
	syscall.Kill(pid, syscall.SIGKILL)
	testkit.WaitFor(t, "the give-up while silenced", func() bool { return h.ev.count("quiet", GaveUp) == 1 })
	// The give-up's alarm is raised just after the GaveUp event: wait for it too.
	testkit.WaitFor(t, "two silenced alarms (exit, give-up)", func() bool { return h.ev.count("quiet", AlarmSilenced) == 2 })
	if n := h.ev.count("quiet", Alarm); n != 0 {
		t.Errorf("%d alarms raised while silenced, want 0", n)
	}

	statusfs.SendControl(dir, []byte("nu"))
	testkit.WaitFor(t, "alarms on in status", func() bool { st, _ := statusfs.ReadStatus(dir); return st.AlarmsOn })
	pid = h.waitUp("quiet")
	syscall.Kill(pid, syscall.SIGKILL)
	testkit.WaitFor(t, "an alarm delivered", func() bool { return len(hook.events()) == 1 })
	if got := hook.events(); got[0] != "quiet:exited" {
		t.Errorf("delivered %v, want the exit only: nothing sent while silenced", got)
	}
}

func waitNewPID(h *harness, name string, old int) int {
	h.t.Helper()
	var pid int
	testkit.WaitFor(h.t, name+" restarted", func() bool { pid = h.pid(name); return pid != 0 && pid != old })
	return pid
}

// A webhook that never answers does not delay the next restart.
func TestDeadWebhookDoesNotDelayRestart(t *testing.T) {
	hook := newWebhook(t, true)
	h := newHarness(t, withAlarms(time.Minute))
	m := h.module("svc", "showenv", nil)
	m.Alarm = manifest.Alarm{Interval: time.Hour, Webhook: hook.URL}
	h.apply(m)
	pid := h.waitUp("svc")
	syscall.Kill(pid, syscall.SIGKILL)
	select {
	case <-hook.in:
	case <-testkit.Within():
		t.Fatal("no alarm reached the webhook")
	}
	waitNewPID(h, "svc", pid) // while the webhook still holds the request
}

// on_exit runs after every exit, before the restart, with the count of exits in
// the window and the facts in its environment.
func TestOnExitHook(t *testing.T) {
	h := newHarness(t)
	m := h.shModule("hooked", "exit 3")
	m.Alarm = manifest.Alarm{Interval: time.Hour, MaxTries: 2}
	m.OnExit = []string{"/bin/sh", "-c", `echo "$1 $SVMAN_EVENT $SVMAN_EXIT_CODE $SVMAN_MODULE" >> hook.log`, "hook"}
	h.apply(m)
	testkit.WaitFor(t, "the give-up", func() bool { return h.ev.count("hooked", GaveUp) == 1 })
	b, _ := os.ReadFile(filepath.Join(h.status, "hook.log"))
	want := "1 exited 3 hooked\n2 exited 3 hooked\n3 exited 3 hooked\n"
	if string(b) != want {
		t.Errorf("hook.log = %q, want %q", b, want)
	}
}

// A crash with a core dump is recognised from the wait status; limits { core }
// lets the child dump core.
func TestCoreDumpIsRecognised(t *testing.T) {
	var lim unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_CORE, &lim)
	if lim.Max == 0 {
		t.Skip("the hard core-size limit is 0 here: no process may dump core")
	}
	h := newHarness(t)
	m := h.shModule("dumper", "kill -ABRT $$")
	unlimited := manifest.Unlimited
	m.Limits = manifest.Limits{Core: &unlimited}
	m.Restart.Policy = manifest.RestartNever
	h.apply(m)
	testkit.WaitFor(t, "the exit", func() bool { return h.ev.count("dumper", Exited) == 1 })
	ev := h.ev.find("dumper", Exited)[0]
	if !ev.Exit.CoreDumped || ev.Exit.Signal != syscall.SIGABRT {
		t.Errorf("exit = %+v, want SIGABRT with a core dump", ev.Exit)
	}
	if !strings.Contains(ev.String(), "killed by SIGABRT (core dumped)") {
		t.Errorf("event reads %q", ev)
	}
}

// A delivery that fails is logged to the module's supervise.log.wf with the reason.
func TestFailedDeliveryIsLogged(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	defer refusing.Close()
	var h *harness
	h = newHarness(t, func(c *Config) {
		c.Alarms = alarm.NewSender(alarm.Config{Timeout: 5 * time.Second, Failed: func(m, ch string, err error) {
			h.e.ReportAlarmFailure(m, ch, err)
		}})
	})
	m := h.shModule("once", "exit 1")
	m.Restart.Policy = manifest.RestartNever
	m.Alarm = manifest.Alarm{Interval: time.Hour, Webhook: refusing.URL}
	h.apply(m)
	wf := filepath.Join(h.status, "once", "supervise.log.wf")
	testkit.WaitFor(t, "the failed delivery in supervise.log.wf", func() bool {
		b, _ := os.ReadFile(wf)
		return strings.Contains(string(b), "alarm by webhook not delivered") && strings.Contains(string(b), "500")
	})
}
