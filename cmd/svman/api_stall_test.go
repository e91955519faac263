package main

import (
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/statusfs"
)

// Ten event streams whose clients never read, under a flood of events, slow
// no restart: a module killed comes back within the bound it has without
// them (TestRepeatedKillsRestartAtOnce's), and the API still answers.
func TestAPIStalledStreamsDoNotSlowRestarts(t *testing.T) {
	const answer = atOnce
	p := newProject(t, helperModule("victim", "sleeper")+helperModule("noisy", "sleeper"))
	p.up()
	pid := p.waitPID("victim", 0)
	for range 10 {
		c, err := net.Dial("unix", p.apiSocket())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /v1/events HTTP/1.1\r\nHost: svman\r\n\r\n") // and never read
	}
	if code, body := p.apiCall("GET", "/v1/modules"); code != 200 {
		t.Fatalf("GET /v1/modules: %d %s", code, body)
	}
	// Each s and n is a state event for every stream: far more than a stream
	// buffers, or a socket holds.
	for i := range 2000 {
		_ = statusfs.SendControl(p.statusDir("noisy"), []byte{"sn"[i%2]}) // a full FIFO refuses some: no matter
	}
	// Were a stream to block the events' hook, noisy's supervisor would hang
	// on it, and never take this last s.
	testkit.WaitFor(t, "the flood taken", func() bool {
		return statusfs.SendControl(p.statusDir("noisy"), []byte("s")) == nil
	})
	testkit.WaitFor(t, "noisy's alarms off after the flood", func() bool { return !p.status("noisy").AlarmsOn })
	for i := range 2 {
		// Each run lasts past min_uptime (1s), as in TestRepeatedKillsRestartAtOnce:
		// that is the scenario (a restart at once), not a synchronisation.
		<-time.After(1500 * time.Millisecond)
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		after := sinceBoot(t)
		pid = p.waitPID("victim", pid)
		if took := forkedAt(t, pid) + tick - after; took > answer {
			t.Errorf("kill %d: the replacement was forked up to %v after the kill, want within %v", i+1, took, answer)
		}
	}
	if code, body := p.apiCall("GET", "/v1/modules/victim"); code != 200 {
		t.Errorf("GET after the flood: %d %s", code, body)
	}
}
