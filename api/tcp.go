package api

import (
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// listenTCP is the TCP listener of cfg.TCP: with TLS when a certificate is
// given.
func listenTCP(cfg Config) (net.Listener, error) {
	var cert tls.Certificate
	if cfg.TCP.TLSCert != "" {
		var err error
		if cert, err = tls.LoadX509KeyPair(cfg.TCP.TLSCert, cfg.TCP.TLSKey); err != nil {
			return nil, err
		}
	}
	l, err := net.Listen("tcp", cfg.TCP.Listen)
	if err != nil {
		return nil, err
	}
	if cfg.TCP.TLSCert != "" {
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	return l, nil
}

// refusalEvery is how often at most a refused TCP request is said on the
// console; the refusals in between are counted in the next line.
const refusalEvery = 10 * time.Second

// tokenCheck answers 401 to a TCP request without the bearer token (when
// there is one), compared in constant time. The token is never logged.
type tokenCheck struct {
	token []byte
	logf  func(format string, args ...any)

	mu      sync.Mutex // guards last and dropped
	last    time.Time  // when a refusal was last said
	dropped int        // refusals not said since
}

func (c *tokenCheck) allowed(w http.ResponseWriter, r *http.Request) bool {
	if len(c.token) == 0 {
		return true
	}
	scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	ok = ok && strings.EqualFold(scheme, "Bearer") // schemes are case-insensitive (RFC 9110)
	if ok && subtle.ConstantTimeCompare([]byte(got), c.token) == 1 {
		return true
	}
	c.refused(r.RemoteAddr)
	w.Header().Set("WWW-Authenticate", `Bearer realm="svman"`)
	writeError(w, http.StatusUnauthorized, errors.New("a bearer token is needed: Authorization: Bearer TOKEN (the api block's token_file)"))
	return false
}

// refused says on the console that a request from addr was refused, at most
// once every refusalEvery.
func (c *tokenCheck) refused(addr string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if now.Sub(c.last) < refusalEvery {
		c.dropped++
		return
	}
	more := ""
	if c.dropped > 0 {
		more = " (and " + strconv.Itoa(c.dropped) + " more since the last report)"
	}
	c.last, c.dropped = now, 0
	c.logf("control API: a request from %s without a valid token was refused%s", addr, more)
}
