package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"svman/internal/smtptest"
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
