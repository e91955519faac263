package alarm

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"svman/internal/testkit"
)

// Servers that accept and never answer, and a hook that never ends, cannot hold
// up Send, and hold Close and the Failed report only for about the timeout.
func TestDeadEnds(t *testing.T) {
	// An SMTP server that accepts connections and never says a word.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	conns := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	defer func() {
		for len(conns) > 0 {
			(<-conns).Close()
		}
	}()

	// A webhook that never answers (until the test ends).
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer ts.Close()
	defer close(release)

	const timeout = 200 * time.Millisecond
	fail, failed := failures()
	s := NewSender(Config{
		SMTP:    SMTP{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port},
		Timeout: timeout,
		Failed:  fail,
	})
	ch := Channels{
		Mail:    []string{"ops@example.com"},
		Webhook: ts.URL,
		// A hook with a child that holds its output and ignores TERM: killing
		// only the hook would not end it.
		Exec: hook(t, "stubborn"),
	}
	start := time.Now()
	s.Send(ch, testFacts())
	if d := time.Since(start); d > timeout/2 {
		t.Errorf("Send took %v", d)
	}

	seen := map[string]bool{}
	for range 3 {
		f := waitFailure(t, failed)
		d := time.Since(start)
		t.Logf("%s failed after %v: %v", f.channel, d, f.err)
		seen[f.channel] = true
		if d < timeout {
			t.Errorf("%s failed after %v, before the timeout", f.channel, d)
		}
		if !strings.Contains(f.err.Error(), "no success within 200ms") {
			t.Errorf("%s: %v", f.channel, f.err)
		}
	}
	if !seen["mail"] || !seen["webhook"] || !seen["exec"] {
		t.Errorf("failed channels %v", seen)
	}
	closeWithin(t, s)
	if d := time.Since(start); d > testkit.Deadline/2 {
		t.Errorf("Close returned after %v", d)
	}
}
