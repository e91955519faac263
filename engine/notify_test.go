package engine

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/manifest"
	"svman/statusfs"
)

// Real notify datagrams and a real notification fd.

func TestNotifyReadyAndStatusFromTheModule(t *testing.T) {
	h := newHarness(t)
	m := h.module("svc", "notify-serve", nil)
	m.Command = append(m.Command, "STATUS=warming up", "READY=1\nSTATUS=serving")
	m.Ready = &manifest.Ready{Notify: true, Timeout: time.Minute, Interval: time.Second, OnTimeout: manifest.ReadyTimeoutRestart}
	h.apply(m)
	testkit.WaitFor(t, "ready by READY=1", func() bool {
		st := h.state("svc")
		return st.Ready && st.Status == "serving"
	})
	// The step writes state.json before it hands out its events.
	testkit.WaitFor(t, "the ready event", func() bool { return len(h.ev.find("svc", Ready)) > 0 })
	if evs := h.ev.find("svc", Ready); len(evs) != 1 || evs[0].Text != "READY=1" {
		t.Errorf("ready events %v", evs)
	}
}

func TestNotifyFromAStrangerIsIgnored(t *testing.T) {
	h := newHarness(t)
	m := h.module("svc", "notify-serve", nil)
	m.Command = append(m.Command, "STATUS=waiting for the stranger")
	m.Ready = &manifest.Ready{Notify: true, Timeout: time.Minute, Interval: time.Second, OnTimeout: manifest.ReadyTimeoutRestart}
	h.apply(m)
	testkit.WaitFor(t, "the module's status", func() bool { return h.state("svc").Status == "waiting for the stranger" })
	// This test process is no process of the module: its READY=1 is not heard.
	pid := h.pid("svc")
	addr := envOf(pid, "NOTIFY_SOCKET")
	if !strings.HasPrefix(addr, "@") {
		t.Fatalf("the module's NOTIFY_SOCKET is %q, want an abstract socket", addr)
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("READY=1\nSTATUS=stranger")); err != nil {
		t.Fatal(err)
	}
	// The module speaks after the stranger: once its status is seen, the
	// stranger's datagram, received before it, has been handled too.
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the module's second status", func() bool { return h.state("svc").Status == "usr1-1" })
	if st := h.state("svc"); st.Ready {
		t.Errorf("state.json %+v after a stranger's READY=1", st)
	}
}

func TestNotificationFD(t *testing.T) {
	h := newHarness(t)
	gate := filepath.Join(h.status, "go")
	m := h.shModule("svc", `while [ ! -e `+gate+` ]; do sleep 0.01; done; echo >&3; exec sleep 60`)
	m.Ready = &manifest.Ready{NotificationFD: 3, Timeout: time.Minute, Interval: time.Second, OnTimeout: manifest.ReadyTimeoutRestart}
	h.apply(m)
	h.waitUp("svc")
	testkit.WaitFor(t, "state.json of the start", func() bool { return h.state("svc").State == statusfs.RunUp })
	if st := h.state("svc"); st.Ready {
		t.Errorf("state.json %+v before the newline", st)
	}
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "ready by fd 3", func() bool { return h.state("svc").Ready })
	testkit.WaitFor(t, "the ready event", func() bool { return len(h.ev.find("svc", Ready)) > 0 })
	if evs := h.ev.find("svc", Ready); len(evs) != 1 || evs[0].Text != "newline on notification fd 3" {
		t.Errorf("ready events %v", evs)
	}
}

// envOf is the value of variable name in process pid's environment.
func envOf(pid int, name string) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	for _, kv := range strings.Split(string(b), "\x00") {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}
