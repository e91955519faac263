package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"svman/internal/smtptest"
	"svman/internal/testkit"
)

// A crashing module's alarms reach a real SMTP server on loopback, configured by the
// manifest's smtp block: exactly one for the window's first exit, one for the give-up.
func TestAlarmMailIsDelivered(t *testing.T) {
	srv := smtptest.Start(t, "127.0.0.1", "", "", nil)
	p := newProject(t, fmt.Sprintf(`
smtp {
  host = "127.0.0.1"
  port = %d
  from = "svman@test.example"
}
module "flaky" {
  command = "exit 3"
  restart {
    delay = "0s"
  }
  alarm {
    interval  = "1h"
    max_tries = 2
    mail      = ["ops@example.com"]
  }
}
`, srv.Port))
	sv := p.up()
	sv.waitOutput(`supervise refused to restart flaky any more: 3 exits within 1h0m0s`)
	first, second := srv.Wait(t), srv.Wait(t)
	for i, m := range []smtptest.Message{first, second} {
		if m.From != "svman@test.example" || len(m.To) != 1 || m.To[0] != "ops@example.com" {
			t.Errorf("mail %d: from %q to %q", i, m.From, m.To)
		}
	}
	if !regexp.MustCompile(`Subject: \[svman\] .*\[Alarm: .*\] Service flaky exited!`).Match(first.Data) {
		t.Errorf("first mail is not the exit alarm:\n%s", first.Data)
	}
	if !strings.Contains(string(second.Data), "refused to restart it any more") {
		t.Errorf("second mail is not the give-up:\n%s", second.Data)
	}
	sv.barrier()
	if extra := srv.Pending(); len(extra) != 0 {
		t.Errorf("%d more mails, want exactly one per window and one for the give-up", len(extra))
	}

	// status says it failed; ctl up re-arms it.
	if _, out, _ := p.svmanCmd("status"); !strings.Contains(out, "failed (gave up; 'svman ctl flaky up' starts it)") {
		t.Errorf("status of a failed module:\n%s", out)
	}
	p.svmanCmd("ctl", "flaky", "up")
	sv.waitOutput(`(?s)control command 'u' received.*flaky started`)
	sv.stop()
}

// A module in a crash loop's backoff says so in status, with why and when it
// starts next; `up` starts it at once.
func TestStatusShowsBackoff(t *testing.T) {
	p := newProject(t, `
module "slow" {
  command = "exit 1"
  restart {
    delay     = "10m"
    max_delay = "1h"
  }
}
`)
	sv := p.up()
	// The delay counts from the start: the exit, and so the message, may come late.
	sv.waitOutput(`slow restarting in (10m0s|9m\d+s) \(crash loop: 1 run shorter than 1s\)`)
	_, out, _ := p.svmanCmd("status")
	if !regexp.MustCompile(`(?m)^slow\s+backoff \(crash loop: 1 run shorter than 1s\), next start in (10m0s|9m\d+s)\s`).MatchString(out) {
		t.Errorf("status in backoff:\n%s", out)
	}
	_, out, _ = p.svmanCmd("status", "--json")
	if !strings.Contains(out, `"state": "backoff"`) || !strings.Contains(out, `"crash_loop": 1`) || !strings.Contains(out, `"min_uptime": "1s"`) {
		t.Errorf("status --json in backoff:\n%s", out)
	}
	starts := strings.Count(sv.out.String(), "slow started")
	p.svmanCmd("ctl", "slow", "up")
	testkit.WaitFor(t, "the start that u asked for", func() bool { return strings.Count(sv.out.String(), "slow started") > starts })
	sv.stop()
}

// svman's SMTP password never reaches a module, whatever variable carried it.
func TestSecretsStayOutOfChildren(t *testing.T) {
	t.Setenv("SVMAN_TEST_SECRET", "hunter2-"+t.Name())
	p := newProject(t, `
smtp {
  username = "svman"
  password = env("SVMAN_TEST_SECRET")
}
`+helperModuleEnv("app", "showenv", map[string]string{testkit.PrintEnv: "SVMAN_TEST_SECRET,SVMAN_MODULE"}))
	sv := p.up()
	sv.waitOutput(`app +\| SVMAN_MODULE=app\n`)
	if !regexp.MustCompile(`app +\| SVMAN_TEST_SECRET=\n`).MatchString(sv.out.String()) {
		t.Errorf("the child saw the secret:\n%s", sv.out)
	}
	sv.stop()
}
