package api

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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
	s, unix := testServer(t, Config{TCP: manifest.API{Listen: "127.0.0.1:0", Token: []byte(token)}, Logf: log.logf}, "web")
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
	certFile, keyFile, pool := selfSigned(t, dir)
	s, _ := testServer(t, Config{TCP: manifest.API{Listen: "127.0.0.1:0", Token: []byte("tok"), TLSCert: certFile, TLSKey: keyFile}}, "web")
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if code, body := get(t, c, "https://"+s.TCPAddr()+"/v1/modules", "tok"); code != 200 {
		t.Errorf("over TLS: %d %s", code, body)
	}
	if code, _ := get(t, &http.Client{}, "http://"+s.TCPAddr()+"/v1/modules", "tok"); code != 400 {
		t.Errorf("plain HTTP to the TLS listener: %d, want 400", code)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key in dir.
func selfSigned(t *testing.T, dir string) (cert, key string, pool *x509.CertPool) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "svman"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	parsed, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(parsed)
	return cert, key, pool
}
