package api

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// refusalEvery is how often at most a refused TCP request is said on the
// console; the refusals in between are counted in the next line.
const refusalEvery = 10 * time.Second

// tokenCheck answers 401 to a TCP request without the bearer token,
// compared in constant time; with no token set (no TCP listener is
// configured) every TCP request is refused. The token is never logged.
type tokenCheck struct {
	token atomic.Pointer[[]byte] // the api block's, replaced on reload (SetTCP)
	logf  func(format string, args ...any)

	mu      sync.Mutex // guards last and dropped
	last    time.Time  // when a refusal was last said
	dropped int        // refusals not said since
}

func (c *tokenCheck) set(token []byte) { c.token.Store(&token) }

func (c *tokenCheck) get() []byte {
	if p := c.token.Load(); p != nil {
		return *p
	}
	return nil
}

func (c *tokenCheck) allowed(w http.ResponseWriter, r *http.Request) bool {
	token := c.get()
	scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	ok = ok && strings.EqualFold(scheme, "Bearer") // schemes are case-insensitive (RFC 9110)
	if ok && len(token) > 0 && subtle.ConstantTimeCompare([]byte(got), token) == 1 {
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
