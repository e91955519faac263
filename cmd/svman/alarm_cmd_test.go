package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"svman/alarm"
	"svman/internal/smtptest"
	"svman/internal/testkit"
)

// webhook is an HTTP server on loopback that answers every request with
// status and keeps the bodies of the POSTs it received, in order.
type webhook struct {
	url    string
	bodies chan []byte
}

func startWebhook(t *testing.T, status int) *webhook {
	t.Helper()
	h := &webhook{bodies: make(chan []byte, 16)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPost {
			h.bodies <- b
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	h.url = srv.URL + "/hooks/T0KEN"
	return h
}

// facts is the next alarm the webhook received.
func (h *webhook) facts(t *testing.T) alarm.Facts {
	t.Helper()
	select {
	case b := <-h.bodies:
		var f alarm.Facts
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("the webhook's body is not the facts: %v\n%s", err, b)
		}
		return f
	default:
		t.Fatal("the webhook received no alarm") // svman alarm returns once every delivery has ended
		return alarm.Facts{}
	}
}

// svman alarm sends one alarm through every channel of the module's alarm
// block, as svman up would: mail through the smtp block, the webhook, and the
// exec hook in the module's dir with the facts in its environment. An
// instance is named as one.
func TestAlarmCommandDeliversToEveryChannel(t *testing.T) {
	srv := smtptest.Start(t, "127.0.0.1", "", "", nil)
	hook := startWebhook(t, http.StatusNoContent)
	p := newProject(t, fmt.Sprintf(`
smtp {
  host = "127.0.0.1"
  port = %d
  from = "svman@test.example"
}
module "web" {
  command   = "true"
  instances = 2
  dir       = "sub"
  alarm {
    mail    = ["ops@example.com"]
    webhook = %q
    exec    = ["sh", "-c", "env > facts.env"]
  }
}
`, srv.Port, hook.url))
	if err := os.Mkdir(filepath.Join(p.dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := p.svmanProcess(nil, "alarm", "--event", "exited", "--exit-code", "3", "web.1")
	want := "web.1: exited alarm delivered by mail to ops@example.com\n" +
		"web.1: exited alarm delivered by webhook\n" +
		"web.1: exited alarm delivered by exec sh\n"
	if code != exitOK || out != want || errOut != "" {
		t.Fatalf("svman alarm = %d\n%s%s\nwant 0 and\n%s", code, out, errOut, want)
	}

	f := hook.facts(t)
	if f.Module != "web.1" || f.Event != alarm.Exited || f.ExitCode != 3 || f.Signal != "" || f.CoreDumped || f.Hostname == "" ||
		!strings.HasSuffix(f.Message, "] Service web.1 exited!") {
		t.Errorf("the webhook received %+v", f)
	}
	mail := srv.Wait(t)
	if len(mail.To) != 1 || mail.To[0] != "ops@example.com" || !strings.Contains(string(mail.Data), "Service web.1 exited!") {
		t.Errorf("mail to %q:\n%s", mail.To, mail.Data)
	}
	env, err := os.ReadFile(filepath.Join(p.dir, "sub", "facts.env"))
	if err != nil {
		t.Fatalf("the hook did not run in the module's dir: %v", err)
	}
	for _, kv := range []string{"SVMAN_MODULE=web.1", "SVMAN_EVENT=exited", "SVMAN_EXIT_CODE=3", "SVMAN_SIGNAL=", "SVMAN_COREDUMPED=0", "SVMAN_MESSAGE=" + f.Message} {
		if !strings.Contains("\n"+string(env), "\n"+kv+"\n") {
			t.Errorf("the hook's environment lacks %s:\n%s", kv, env)
		}
	}
}

// svman alarm --systemd takes how the unit's process ended from systemd's
// MONITOR_* variables (a signal by its name or its number), and what
// happened from its result, names the unit and its result in the message,
// and leaves a fact empty when systemd set nothing for it; a flag given too
// wins.
func TestAlarmCommandSystemdFacts(t *testing.T) {
	hook := startWebhook(t, http.StatusOK)
	p := newProject(t, fmt.Sprintf(`
module "web" {
  command = "true"
  alarm { webhook = %q }
}
`, hook.url))
	legacy := "] Service web exited too often: svman refused to restart it any more!"
	for _, tc := range []struct {
		env, args  []string
		event      string
		code       int
		signal     string
		coredumped bool
		message    string // the end of the message
	}{
		{[]string{"MONITOR_EXIT_CODE=dumped", "MONITOR_EXIT_STATUS=SEGV", "MONITOR_UNIT=svman-web.service", "MONITOR_SERVICE_RESULT=core-dump"}, nil,
			alarm.Exited, -1, "SIGSEGV", true, "] Service web exited with coredump! (systemd: svman-web.service, result core-dump)"},
		{[]string{"MONITOR_EXIT_CODE=dumped", "MONITOR_EXIT_STATUS=11"}, nil,
			alarm.GaveUp, -1, "SIGSEGV", true, legacy},
		{[]string{"MONITOR_EXIT_CODE=killed", "MONITOR_EXIT_STATUS=TERM", "MONITOR_SERVICE_RESULT=signal"}, nil,
			alarm.Exited, -1, "SIGTERM", false, "] Service web exited! (systemd: result signal)"},
		{[]string{"MONITOR_EXIT_CODE=exited", "MONITOR_EXIT_STATUS=3", "MONITOR_UNIT=svman-web.service"}, nil,
			alarm.GaveUp, 3, "", false, legacy + " (systemd: svman-web.service)"},
		{nil, nil, alarm.GaveUp, -1, "", false, legacy},
		{[]string{"MONITOR_EXIT_CODE=dumped", "MONITOR_EXIT_STATUS=SEGV"}, []string{"--exit-code", "2", "--message", "web is down"},
			alarm.GaveUp, 2, "", false, "web is down"},
	} {
		code, out, errOut := p.svmanProcess(tc.env, "alarm", append(append([]string{"--systemd"}, tc.args...), "web")...)
		if code != exitOK || out != "web: "+tc.event+" alarm delivered by webhook\n" || errOut != "" {
			// Fatal: an alarm delivered all the same would be read by the
			// next case as its own.
			t.Fatalf("%q: svman alarm = %d %q %q", tc.env, code, out, errOut)
		}
		f := hook.facts(t)
		if f.Module != "web" || f.Event != tc.event || f.ExitCode != tc.code || f.Signal != tc.signal || f.CoreDumped != tc.coredumped ||
			!strings.HasSuffix(f.Message, tc.message) {
			t.Errorf("%q %q: the webhook received %+v\nwant event %s, exit_code %d, signal %q, coredumped %v, a message ending %q",
				tc.env, tc.args, f, tc.event, tc.code, tc.signal, tc.coredumped, tc.message)
		}
	}
}

// svman alarm --systemd names the event as svman up would, from the result
// systemd gives (MONITOR_SERVICE_RESULT): the start limit is svman's
// gave_up, a missed watchdog unhealthy, a start that timed out not_ready,
// and the end of the process, or any other failure, exited; without a
// result it is gave_up, and --event wins over it.
func TestAlarmCommandSystemdEvent(t *testing.T) {
	hook := startWebhook(t, http.StatusOK)
	p := newProject(t, fmt.Sprintf(`
module "web" {
  command = "true"
  alarm { webhook = %q }
}
`, hook.url))
	for _, tc := range []struct {
		result  string // "" for none
		args    []string
		event   string
		message string // what the legacy message says after "Service web"
	}{
		{"start-limit-hit", nil, alarm.GaveUp, " exited too often: svman refused to restart it any more! (systemd: result start-limit-hit)"},
		{"watchdog", nil, alarm.Unhealthy, " failed its health checks! (systemd: result watchdog)"},
		{"timeout", nil, alarm.NotReady, " was not ready in time! (systemd: result timeout)"},
		{"exit-code", nil, alarm.Exited, " exited! (systemd: result exit-code)"},
		{"signal", nil, alarm.Exited, " exited! (systemd: result signal)"},
		{"core-dump", nil, alarm.Exited, " exited! (systemd: result core-dump)"},
		{"oom-kill", nil, alarm.Exited, " exited! (systemd: result oom-kill)"},
		{"protocol", nil, alarm.Exited, " exited! (systemd: result protocol)"},
		{"resources", nil, alarm.Exited, " exited! (systemd: result resources)"},
		{"", nil, alarm.GaveUp, " exited too often: svman refused to restart it any more!"},
		{"start-limit-hit", []string{"--event", "blocked"}, alarm.Blocked, " cannot start: a dependency is down! (systemd: result start-limit-hit)"},
	} {
		var env []string
		if tc.result != "" {
			env = []string{"MONITOR_SERVICE_RESULT=" + tc.result}
		}
		code, out, errOut := p.svmanProcess(env, "alarm", append(append([]string{"--systemd"}, tc.args...), "web")...)
		if code != exitOK || out != "web: "+tc.event+" alarm delivered by webhook\n" || errOut != "" {
			// Fatal: an alarm delivered all the same would be read by the
			// next case as its own.
			t.Fatalf("result %q %q: svman alarm = %d %q %q, want the %s alarm delivered", tc.result, tc.args, code, out, errOut, tc.event)
		}
		if f := hook.facts(t); f.Event != tc.event || !strings.HasSuffix(f.Message, "] Service web"+tc.message) {
			t.Errorf("result %q %q: the webhook received event %s, message %q; want %s and a message ending %q",
				tc.result, tc.args, f.Event, f.Message, tc.event, tc.message)
		}
	}
}

// A variable systemd set otherwise than systemd.exec(5) says leaves its fact
// as it was: the alarm still goes out.
func TestSystemdFactsOddValues(t *testing.T) {
	for _, env := range []map[string]string{
		{monitorExitCode: "exited", monitorExitStatus: "SEGV"},
		{monitorExitCode: "exited", monitorExitStatus: "256"},
		{monitorExitCode: "continued", monitorExitStatus: "CONT"},
		{monitorExitStatus: "9"},
	} {
		f := alarm.Facts{ExitCode: 3}
		if note := systemdFacts(&f, func(k string) string { return env[k] }); note != "" || f.ExitCode != 3 || f.Signal != "" || f.CoreDumped {
			t.Errorf("%q: facts %+v, note %q; want them untouched", env, f, note)
		}
	}
	// Killed by a signal whose name cannot be read: no exit code all the
	// same, no signal, and the core dump said when there was one.
	for _, tc := range []struct {
		code, status string
		dumped       bool
	}{{"killed", "RTMIN+3", false}, {"killed", "0", false}, {"dumped", "RTMIN+3", true}} {
		f := alarm.Facts{ExitCode: 3}
		systemdFacts(&f, func(k string) string {
			return map[string]string{monitorExitCode: tc.code, monitorExitStatus: tc.status}[k]
		})
		if f.ExitCode != -1 || f.Signal != "" || f.CoreDumped != tc.dumped {
			t.Errorf("%s by %s: %+v, want exit code -1, no signal, coredumped %v", tc.code, tc.status, f, tc.dumped)
		}
	}
}

// A delivery that fails is named on stderr with svman up's words and its
// reason, never with the webhook's URL; the others are delivered all the
// same, and svman alarm exits 1.
func TestAlarmCommandFailedDelivery(t *testing.T) {
	hook := startWebhook(t, http.StatusInternalServerError)
	closed, err := testkit.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := strings.Cut(closed, ":")
	p := newProject(t, fmt.Sprintf(`
smtp {
  host = "127.0.0.1"
  port = %s
}
module "web" {
  command = "true"
  alarm {
    mail    = ["ops@example.com"]
    webhook = %q
    exec    = ["true"]
  }
}
`, port, hook.url))
	code, out, errOut := p.svmanProcess(nil, "alarm", "web")
	if code != exitFailure || out != "web: gave_up alarm delivered by exec true\n" {
		t.Errorf("svman alarm = %d %q, want 1 and the hook's delivery", code, out)
	}
	for _, want := range []string{
		"svman alarm: web: alarm by mail not delivered: dial tcp " + closed + ": connect: connection refused\n",
		"svman alarm: web: alarm by webhook not delivered: POST to " + strings.TrimPrefix(strings.TrimSuffix(hook.url, "/hooks/T0KEN"), "http://") + ": answered 500 Internal Server Error\n",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "T0KEN") {
		t.Errorf("stderr shows the webhook's URL:\n%s", errOut)
	}
	hook.facts(t) // it was asked all the same
}

// svman alarm refuses, before sending anything, a module it does not know
// (suggesting the closest), a block with instances, a module whose alarm
// block has no channel, and a command line that contradicts itself.
func TestAlarmCommandRefuses(t *testing.T) {
	p := newProject(t, `
module "web" {
  command = "true"
  alarm { webhook = "http://127.0.0.1:1/" }
}
module "api" {
  command   = "true"
  instances = 2
}
`)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"wbe"}, exitFailure, `svman alarm: no module named "wbe"; did you mean "web"? (modules: web, api, api.0, api.1)` + "\n"},
		{[]string{"api"}, exitFailure, "svman alarm: module api has instances: name one of them (api.0, api.1)\n"},
		{[]string{"api.1"}, exitFailure, `svman alarm: api.1 has no alarm channel: the alarm block of module "api" in ` + p.manifestPath() +
			` names no mail, webhook or exec; add one (webhook = "https://...") to send its alarms` + "\n"},
		{nil, exitUsage, "svman alarm: name one module: svman alarm [FLAGS] MODULE\n"},
		{[]string{"web", "api.0"}, exitUsage, "svman alarm: name one module: svman alarm [FLAGS] MODULE\n"},
		{[]string{"--exit-code", "1", "--signal", "TERM", "web"}, exitUsage, "svman alarm: --exit-code and --signal contradict each other: a process either exits or is killed by a signal\n"},
		{[]string{"--coredumped", "web"}, exitUsage, "svman alarm: --coredumped goes with --signal: the signal that killed the process and dumped its core\n"},
		{[]string{"--signal", "TREM", "web"}, exitUsage, `svman alarm: --signal "TREM" is not a signal: give its name (TERM, SIGSEGV) or its number` + "\n"},
		{[]string{"--exit-code", "300", "web"}, exitUsage, "svman alarm: --exit-code 300 is not an exit code (0 to 255, or -1 for none)\n"},
		{[]string{"--event", "crashed", "web"}, exitUsage, `invalid value "crashed" for flag -event: want one of exited, start_failed, gave_up, unhealthy, not_ready, blocked`},
	} {
		// These end before a delivery, and so before a child is forked: in-process.
		code, out, errOut := p.svmanCmd("alarm", tc.args...)
		if code != tc.code || out != "" || !strings.HasPrefix(errOut, tc.want) {
			t.Errorf("svman alarm %q = %d %q\n%s\nwant %d and\n%s", tc.args, code, out, errOut, tc.code, tc.want)
		}
	}
}
