package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

const (
	// maxRedirects is how many redirects an http probe follows.
	maxRedirects = 5
	// maxBody is how much of a response an http probe reads before it closes
	// the connection: the status is the answer, the body is not looked at.
	maxBody = 4 << 10
	// maxHeader bounds the response headers an http probe accepts.
	maxHeader = 64 << 10
)

// client makes every http probe. It keeps no connection (keep-alives off: a
// probe every few seconds must not hold a socket open between attempts), so
// sharing it shares no state but its configuration. It uses no proxy: a probe
// checks the module, not the way to it.
var client = &http.Client{
	Transport: &http.Transport{
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: maxHeader,
	},
	CheckRedirect: sameHost,
}

// sameHost lets a probe follow a redirect only to the host name it started
// with (any port or scheme), and at most maxRedirects of them.
func sameHost(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return fmt.Errorf("more than %d redirects", maxRedirects)
	}
	if !strings.EqualFold(req.URL.Hostname(), via[0].URL.Hostname()) {
		return fmt.Errorf("redirect to another host refused: %s", req.URL.Redacted())
	}
	return nil
}

// httpAttempt GETs rawURL; a status 200-399 passes.
func httpAttempt(ctx context.Context, rawURL string, timeout time.Duration) error {
	fail := func(reason string) error { return fmt.Errorf("GET %s: %s", rawURL, reason) }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return fail(reason(err))
	}
	req.Header.Set("User-Agent", "svman-probe")
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("GET %s: %w", rawURL, ended(ctx, timeout))
		}
		return fail(reason(err))
	}
	_, _ = io.CopyN(io.Discard, resp.Body, maxBody)
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 399 {
		return fail(resp.Status)
	}
	return nil
}

// tcpAttempt connects to addr and closes the connection at once.
func tcpAttempt(ctx context.Context, addr string, timeout time.Duration) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("connect %s: %w", addr, ended(ctx, timeout))
		}
		return fmt.Errorf("connect %s: %s", addr, reason(err))
	}
	c.Close()
	return nil
}

// reason is the shortest account of a network error that still says what went
// wrong: "connection refused" rather than
// `Get "http://…": dial tcp 127.0.0.1:9000: connect: connection refused`.
func reason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.Error()
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}
