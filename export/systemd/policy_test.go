package systemd

import (
	"slices"
	"strings"
	"testing"
)

// block is a block of HCL with one attribute a line.
func block(name string, attrs ...string) string {
	return name + " {\n  " + strings.Join(attrs, "\n  ") + "\n}"
}

// Each restart and alarm setting, what it means to svman, and the
// directives that carry that meaning; what they cannot carry is a note.
func TestRestartAndAlarmSemantics(t *testing.T) {
	const (
		onFailureForce = "SIGHUP SIGINT SIGPIPE SIGTERM"
		mail           = `mail = ["ops@example.com"]`
	)
	for _, c := range []struct {
		meaning string
		block   string
		want    map[string][]string // by Section.Key; nil: not written
		notes   []string
	}{{
		meaning: "always: started again after every exit, 1s after a crash; no channel, no alarm; no max_tries, never gives up",
		block:   block("restart", `policy = "always"`),
		want: map[string][]string{
			"Service.Restart": {"always"}, "Service.RestartSec": {"1s"}, "Unit.StartLimitIntervalSec": {"0"},
			"Unit.StartLimitBurst": nil, "Unit.OnFailure": nil, "Service.SuccessExitStatus": nil, "Service.RestartForceExitStatus": nil,
		},
	}, {
		meaning: "on-failure: exit 0 ends it; another code or any signal (SIGTERM too) is a failure, started again",
		block:   block("restart", `policy = "on-failure"`),
		want: map[string][]string{
			"Service.Restart": {"on-failure"}, "Service.SuccessExitStatus": nil, "Service.RestartForceExitStatus": {onFailureForce},
		},
	}, {
		meaning: "on-failure with exit_codes [0, 3]: 3 ends it too",
		block:   block("restart", `policy = "on-failure"`, `exit_codes = [0, 3]`),
		want: map[string][]string{
			"Service.SuccessExitStatus": {"3"}, "Service.RestartForceExitStatus": {onFailureForce},
		},
	}, {
		meaning: "on-failure with exit_codes [3]: exit 0 is a failure, started again, and raises an alarm",
		block:   block("restart", `policy = "on-failure"`, `exit_codes = [3]`),
		want: map[string][]string{
			"Service.SuccessExitStatus": {"3"}, "Service.RestartForceExitStatus": {"0 " + onFailureForce},
		},
		notes: []string{"Exit code 0 is always a success to systemd"},
	}, {
		meaning: "never: not started again; exit_codes [0, 1] are the successes that raise nothing",
		block:   block("restart", `policy = "never"`, `exit_codes = [0, 1]`),
		want: map[string][]string{
			"Service.Restart": {"no"}, "Service.RestartSec": nil, "Service.SuccessExitStatus": {"1"}, "Service.RestartForceExitStatus": nil,
		},
	}, {
		meaning: "always with exit_codes [2]: exit_codes mean nothing under always",
		block:   block("restart", `policy = "always"`, `exit_codes = [2]`),
		want:    map[string][]string{"Service.Restart": {"always"}, "Service.RestartForceExitStatus": nil},
	}, {
		meaning: "delay: the first wait of a crash loop, which systemd keeps for every restart",
		block:   block("restart", `delay = "5s"`),
		want:    map[string][]string{"Service.RestartSec": {"5s"}},
		notes:   []string{"Restart backoff not exported"},
	}, {
		meaning: "delay below the restart floor counts as 1s",
		block:   block("restart", `delay = "0s"`),
		want:    map[string][]string{"Service.RestartSec": {"1s"}},
		notes:   []string{"Restart backoff not exported"},
	}, {
		meaning: "min_uptime and max_delay: the backoff, which systemd 252 has not",
		block:   block("restart", `min_uptime = "10s"`, `max_delay = "5m"`),
		want:    map[string][]string{"Service.RestartSec": {"1s"}},
		notes:   []string{"Restart backoff not exported", "Restart backoff not exported"},
	}, {
		meaning: "max_tries 3 within 30s: the 4th exit of a window gives up, after 4 starts",
		block:   block("alarm", `interval = "30s"`, `max_tries = 3`),
		want:    map[string][]string{"Unit.StartLimitIntervalSec": {"30s"}, "Unit.StartLimitBurst": {"4"}, "Unit.OnFailure": nil},
	}, {
		meaning: "max_tries with interval 0: alarms and try limits off, never gives up",
		block:   block("alarm", `interval = "0s"`, `max_tries = 3`),
		want:    map[string][]string{"Unit.StartLimitIntervalSec": {"0"}, "Unit.StartLimitBurst": nil},
	}, {
		meaning: "no max_tries: never gives up (systemd's default limit must not apply)",
		block:   block("alarm", `interval = "60s"`),
		want:    map[string][]string{"Unit.StartLimitIntervalSec": {"0"}, "Unit.StartLimitBurst": nil},
	}, {
		meaning: "max_tries_if_coredumped: a limit of core dumps, which systemd has not",
		block:   block("alarm", `max_tries = 5`, `max_tries_if_coredumped = 2`),
		want:    map[string][]string{"Unit.StartLimitIntervalSec": {"1min"}, "Unit.StartLimitBurst": {"6"}},
		notes:   []string{"No limit of core dumps"},
	}, {
		meaning: "mail within a window: an alarm at the first exit of each window, and when it gives up",
		block:   block("alarm", mail),
		want:    map[string][]string{"Unit.OnFailure": {"svman-app-alarm@m.service"}},
		notes:   []string{"Alarms only when the unit fails"},
	}, {
		meaning: "exec and webhook: channels too",
		block:   block("alarm", `exec = ["/bin/true"]`, `webhook = "https://hooks.example.com/svman"`),
		want:    map[string][]string{"Unit.OnFailure": {"svman-app-alarm@m.service"}},
		notes:   []string{"Alarms only when the unit fails"},
	}, {
		meaning: "never with mail: an alarm at every exit but exit_codes', a death by SIGTERM included",
		block:   block("restart", `policy = "never"`) + "\n" + block("alarm", mail),
		want:    map[string][]string{"Service.Restart": {"no"}, "Unit.OnFailure": {"svman-app-alarm@m.service"}, "Service.RestartForceExitStatus": nil},
		notes:   []string{"No alarm at a death by SIGHUP, SIGINT, SIGTERM or SIGPIPE", "Alarms only when the unit fails"},
	}, {
		meaning: "channels with interval 0: alarms off",
		block:   block("alarm", `interval = "0s"`, mail),
		want:    map[string][]string{"Unit.OnFailure": nil, "Unit.StartLimitIntervalSec": {"0"}},
	}} {
		t.Run(c.meaning, func(t *testing.T) {
			p := newProject(t, map[string]string{"supervise.hcl": "module \"m\" {\ncommand = [\"/bin/sleep\", \"1\"]\n" + c.block + "\n}\n"})
			files, notes := p.export(t, Options{})
			got := options(t, files["svman-m.service"])
			for key, want := range c.want {
				if !slices.Equal(got[key], want) {
					t.Errorf("%s = %q, want %q", key, got[key], want)
				}
			}
			var summaries []string
			if d := notes.Diagnostics(false); d != nil {
				for _, diag := range d.Diags {
					summaries = append(summaries, diag.Summary)
				}
			}
			if !slices.Equal(summaries, c.notes) {
				t.Errorf("notes %q, want %q", summaries, c.notes)
			}
			_, hasTemplate := files["svman-app-alarm@.service"]
			if onFailure := got["Unit.OnFailure"] != nil; hasTemplate != onFailure {
				t.Errorf("the alarm template is written: %v; OnFailure= is: %v", hasTemplate, onFailure)
			}
		})
	}
}

// on_timeout = "keep": with notify, a start that never times out; with a
// probe, svman probe's deadline, which fails the start.
func TestReadyOnTimeoutKeep(t *testing.T) {
	for _, c := range []struct {
		check, timeoutStart, note string
	}{
		{"notify = true", "infinity", "No alarm at the ready timeout"},
		{`tcp = "127.0.0.1:5432"`, "1min 10s", `on_timeout = "keep" not exported`},
	} {
		p := newProject(t, map[string]string{"supervise.hcl": "module \"m\" {\ncommand = [\"/bin/sleep\", \"1\"]\n" +
			block("ready", c.check, `on_timeout = "keep"`) + "\n}\n"})
		files, notes := p.export(t, Options{})
		if got := options(t, files["svman-m.service"])["Service.TimeoutStartSec"]; !slices.Equal(got, []string{c.timeoutStart}) {
			t.Errorf("%s: TimeoutStartSec = %q, want %q", c.check, got, c.timeoutStart)
		}
		if d := notes.Diagnostics(false); d == nil || len(d.Diags) != 1 || d.Diags[0].Summary != c.note {
			t.Errorf("%s: notes %v, want one: %s", c.check, d, c.note)
		}
	}
}
