package probe

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/manifest"
)

// attempt runs one attempt of p with timeout, failing the test if it does not
// return within the tests' deadline.
func attempt(t *testing.T, p manifest.Probe, tg Target, timeout time.Duration) error {
	t.Helper()
	res := make(chan error, 1)
	go func() { res <- Attempt(context.Background(), testSystem, p, tg, timeout) }()
	select {
	case err := <-res:
		return err
	case <-testkit.Within():
		t.Fatalf("attempt of %+v did not return", p)
		return nil
	}
}

func TestHTTPProbe(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		elsewhere.Add(1)
	}))
	defer other.Close()
	// The same server under another host name: a redirect there is refused.
	otherHost := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)

	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) {})
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) {
		w.Write(make([]byte, 1<<20))
	})
	mux.HandleFunc("/unavailable", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ok", http.StatusFound)
	})
	mux.HandleFunc("/not-modified", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotModified)
	})
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherHost+"/ok", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, c := range []struct {
		path, want string // want "" for a pass
	}{
		{"/ok", ""},
		{"/big", ""},
		{"/moved", ""},
		{"/not-modified", ""},
		{"/unavailable", "GET " + srv.URL + "/unavailable: 503 Service Unavailable"},
		{"/missing", "GET " + srv.URL + "/missing: 404 Not Found"},
		{"/away", "GET " + srv.URL + "/away: redirect to another host refused: " + otherHost + "/ok"},
		{"/loop", "GET " + srv.URL + "/loop: more than 5 redirects"},
	} {
		err := attempt(t, manifest.Probe{HTTP: srv.URL + c.path}, Target{}, 5*time.Second)
		if got := errString(err); got != c.want {
			t.Errorf("GET %s: got %q, want %q", c.path, got, c.want)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other host got %d requests, want none", n)
	}
}

func TestHTTPProbeTimesOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // until the probe gives up and hangs up
	}))
	defer srv.Close()
	err := attempt(t, manifest.Probe{HTTP: srv.URL + "/healthz"}, Target{}, 200*time.Millisecond)
	if want := "GET " + srv.URL + "/healthz: timed out after 200ms"; errString(err) != want {
		t.Errorf("got %q, want %q", errString(err), want)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%v is not a deadline", err)
	}
}

func TestHTTPSProbeVerifiesTheCertificate(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake the probe refuses
	srv.StartTLS()
	defer srv.Close()
	err := attempt(t, manifest.Probe{HTTP: srv.URL}, Target{}, 5*time.Second)
	if err == nil || !strings.HasPrefix(err.Error(), "GET "+srv.URL+": ") || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("a self-signed certificate: got %v, want a certificate error", err)
	}
}

func TestTCPProbe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := attempt(t, manifest.Probe{TCP: ln.Addr().String()}, Target{}, 5*time.Second); err != nil {
		t.Errorf("a listening port: %v", err)
	}

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := closed.Addr().String()
	closed.Close()
	err = attempt(t, manifest.Probe{TCP: addr}, Target{}, 5*time.Second)
	if want := "connect " + addr + ": connection refused"; errString(err) != want {
		t.Errorf("a closed port: got %q, want %q", errString(err), want)
	}
}

func TestAttemptCancelled(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = Attempt(ctx, testSystem, manifest.Probe{TCP: ln.Addr().String()}, Target{}, 5*time.Second)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled attempt: got %v, want context.Canceled", err)
	}
}

func TestLogProbeIsNotRun(t *testing.T) {
	for _, p := range []manifest.Probe{{Log: "listening on"}, {}} {
		if err := attempt(t, p, Target{}, time.Second); !errors.Is(err, ErrNotRun) {
			t.Errorf("%+v: got %v, want ErrNotRun", p, err)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
