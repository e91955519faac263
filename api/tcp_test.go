package api

import (
	"crypto/tls"
	"errors"

	"fmt"
	"io"

	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/manifest"
)

// logLines is a Logf that keeps what it is told.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logLines) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func setTCP(t *testing.T, s *Server, a manifest.API) {
	t.Helper()
	if err := s.SetTCP(a); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, c *http.Client, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// On TCP, a request needs the bearer token: without it, or with another,
// 401, said on the console once (rate-limited) and never with a token; the
// unix socket needs none.
func TestTCPToken(t *testing.T) {
	const token = "t0ken-v4lue"
	var log logLines
	s, unix := testServer(t, Config{Logf: log.logf}, "web")
	setTCP(t, s, manifest.API{Listen: "127.0.0.1:0", Token: []byte(token)})
	url := "http://" + s.TCPAddr() + "/v1/modules"
	c := &http.Client{}
	for _, bad := range []string{"", "wrong", token + "x"} {
		if code, body := get(t, c, url, bad); code != 401 || !strings.Contains(body, `"error"`) {
			t.Errorf("token %q: %d %s, want 401", bad, code, body)
		}
	}
	if code, body := get(t, c, url, token); code != 200 || !strings.Contains(body, `"web"`) {
		t.Errorf("with the token: %d %s", code, body)
	}
	if code, _ := call(t, unix, "GET", "/v1/modules"); code != 200 {
		t.Errorf("the unix socket: %d", code)
	}
	said := log.all()
	if strings.Count(said, "without a valid token was refused") != 1 || strings.Contains(said, "t0ken") || strings.Contains(said, "wrong") {
		t.Errorf("the console says %q: want one refusal, and no token", said)
	}
}

// With tls_cert and tls_key, the TCP listener speaks TLS only.
func TestTCPTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := testkit.SelfSigned(t, dir)
	s, _ := testServer(t, Config{}, "web")
	setTCP(t, s, withTLS(t, manifest.API{Listen: "127.0.0.1:0", Token: []byte("tok")}, certFile, keyFile))
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if code, body := get(t, c, "https://"+s.TCPAddr()+"/v1/modules", "tok"); code != 200 {
		t.Errorf("over TLS: %d %s", code, body)
	}
	if code, _ := get(t, &http.Client{}, "http://"+s.TCPAddr()+"/v1/modules", "tok"); code != 400 {
		t.Errorf("plain HTTP to the TLS listener: %d, want 400", code)
	}
}

// withTLS is a with the certificate and key files, as a load reads them.
func withTLS(t *testing.T, a manifest.API, cert, key string) manifest.API {
	t.Helper()
	var err1, err2 error
	a.TLSCert, a.TLSKey = cert, key
	a.TLSCertPEM, err1 = os.ReadFile(cert)
	a.TLSKeyPEM, err2 = os.ReadFile(key)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	return a
}

// SetTCP on a reload: a new token applies on the listener there is, and ends
// what the old one let in (an event stream); a new listen opens the new
// listener and closes the old one with its connections; the same address
// written otherwise stays one listener; a listen that cannot be made still
// revokes the old token; TLS turned on at the same listen replaces the
// listener; no listen closes it. The unix socket serves throughout.
func TestSetTCP(t *testing.T) {
	var log logLines
	s, unix := testServer(t, Config{Logf: log.logf}, "web")
	setTCP(t, s, manifest.API{Listen: "127.0.0.1:0", Token: []byte("one")})
	first := s.TCPAddr()
	c := &http.Client{} // keeps its connection between requests
	if code := getCode(c, "http://"+first, "one"); code != 200 {
		t.Fatalf("with the token: %d", code)
	}
	req, _ := http.NewRequest("GET", "http://"+first+"/v1/events", nil)
	req.Header.Set("Authorization", "Bearer one")
	stream, err := c.Do(req)
	if err != nil || stream.StatusCode != 200 {
		t.Fatalf("the event stream: %v %v", stream, err)
	}
	defer stream.Body.Close()
	setTCP(t, s, manifest.API{Listen: "127.0.0.1:0", Token: []byte("two")})
	if s.TCPAddr() != first {
		t.Errorf("a new token moved the listener from %s to %s", first, s.TCPAddr())
	}
	ended := make(chan struct{})
	go func() { io.Copy(io.Discard, stream.Body); close(ended) }()
	select {
	case <-ended:
	case <-time.After(testkit.Deadline):
		t.Error("the event stream the old token opened goes on")
	}
	if old, next := getCode(c, "http://"+first, "one"), getCode(c, "http://"+first, "two"); old != 401 || next != 200 {
		t.Errorf("after a new token: the old one %d (want 401), the new one %d (want 200)", old, next)
	}
	if !strings.Contains(log.all(), "the new token of "+first+" is in force") {
		t.Errorf("the console says %q", log.all())
	}

	// The same address, written otherwise: one listener, at its port.
	_, port, _ := net.SplitHostPort(first)
	setTCP(t, s, manifest.API{Listen: "localhost:" + port, Token: []byte("two")})
	if s.TCPAddr() != first || getCode(c, "http://"+first, "two") != 200 {
		t.Errorf("localhost:%s for %s: now on %q", port, first, s.TCPAddr())
	}

	held, err := net.Dial("tcp", first) // a connection open when the listener moves
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	setTCP(t, s, manifest.API{Listen: "127.0.0.2:0", Token: []byte("two")})
	second := s.TCPAddr()
	if second == first || getCode(c, "http://"+second, "two") != 200 {
		t.Errorf("the new listen %s (was %s) does not serve", second, first)
	}
	if code := getCode(c, "http://"+first, "two"); code != 0 {
		t.Errorf("the old address still answers: %d", code)
	}
	held.SetReadDeadline(time.Now().Add(testkit.Deadline))
	// Closed by svman (EOF), or reset if the listener closed before taking it.
	if n, err := held.Read(make([]byte, 1)); err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("a connection of the old listener: read %d, %v; want it closed", n, err)
	}

	// A listen that cannot be made (taken) with a new token: the listener
	// stays, and the old token is revoked all the same.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	if err := s.SetTCP(manifest.API{Listen: taken.Addr().String(), Token: []byte("three")}); err == nil {
		t.Errorf("listen on %s, taken: no error", taken.Addr())
	}
	if s.TCPAddr() != second || getCode(c, "http://"+second, "two") != 401 || getCode(c, "http://"+second, "three") != 200 {
		t.Errorf("after a listen that failed: on %q (want %s), the old token not revoked or the new one refused", s.TCPAddr(), second)
	}
	if !strings.Contains(log.all(), "TCP stays on "+second) {
		t.Errorf("the console says %q", log.all())
	}

	dir := t.TempDir()
	certFile, keyFile, pool := testkit.SelfSigned(t, dir)
	setTCP(t, s, withTLS(t, manifest.API{Listen: "127.0.0.2:0", Token: []byte("three")}, certFile, keyFile))
	tlsClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}}}
	if code := getCode(tlsClient, "https://"+s.TCPAddr(), "three"); code != 200 {
		t.Errorf("TLS turned on: %d over HTTPS at %s", code, s.TCPAddr())
	}

	setTCP(t, s, manifest.API{})
	if s.TCPAddr() != "" {
		t.Errorf("no listen: still on %s", s.TCPAddr())
	}
	if code, _ := call(t, unix, "GET", "/v1/modules"); code != 200 {
		t.Errorf("the unix socket: %d", code)
	}
}

// getCode is GET base/v1/modules with token: the status code, or 0 when no
// connection could be made.
func getCode(c *http.Client, base, token string) int {
	req, _ := http.NewRequest("GET", base+"/v1/modules", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
