// Package api is svman's control API: HTTP/1.1 and JSON on a unix socket in
// status_dir, serving what `svman status --json` shows (modview), the control
// commands of `svman ctl` (through the same control FIFOs), restart and
// signal (through the engine), and the events of supervision as a stream.
package api

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"svman/engine"
	"svman/manifest"
	"svman/statusfs"
)

// SocketName is the name of the API's unix socket in status_dir. It starts
// with a dot, which no module name does (manifest.ValidName), so it never
// stands where a module's status directory would.
const SocketName = ".svman.sock"

// Engine is what the API asks of the running engine (engine.Engine).
type Engine interface {
	Restart(name string) error
	Signal(name string, sig syscall.Signal) error
	// Held is the status directories the engine holds, by module name: the
	// modules described without reading their files (modview.ReadAll).
	Held() map[string]*statusfs.Dir
}

// Config is what a Server needs from svman up.
type Config struct {
	// Socket is the path of the unix socket (status_dir/.svman.sock).
	Socket string
	// Manifest returns the manifest in force; called once a request. It must
	// not block.
	Manifest func() *manifest.Manifest
	// Engine restarts and signals modules.
	Engine Engine
	// Reload, when set, has svman read its manifest again and apply it (as
	// `svman reload`), and returns the plan applied; ErrReloadRefused (wrapped)
	// when the manifest is not valid. It returns early with ctx's error.
	Reload func(ctx context.Context) (engine.Plan, error)
	// Metrics, when set, is served at GET /metrics.
	Metrics http.Handler
	// Logf says something on svman's console (refused requests, rate-limited).
	Logf func(format string, args ...any)
}

// Server serves the API until Close. It holds no goroutine that wakes while
// no request is under way: its listeners' Accept and the handlers of the
// requests in progress are all it runs.
type Server struct {
	cfg     Config
	http    *http.Server
	unix    *unixSocket
	events  *hub
	follows chan struct{} // a token for each followed log request (maxFollows)
	served  chan error    // the unix socket's Serve, once it returns
	tokens  *tokenCheck   // the TCP listener's bearer token

	// tcpMu serializes SetTCP and Close; tcp and cert are read without it,
	// by requests and handshakes.
	tcpMu     sync.Mutex
	tcpClosed bool                            // Close has begun: no listener is opened any more
	tcp       atomic.Pointer[tcpListener]     // nil without one
	cert      atomic.Pointer[tls.Certificate] // the TCP listener's, with TLS
	// base is every request's context: cancelled at Close, so that what
	// follows (logs, a reload under way) ends with svman.
	base   context.Context
	cancel context.CancelFunc

	closeOnce sync.Once
	closeErr  error
}

// Timeouts of every request but the event stream's, which sets a deadline for
// each write instead (events.go).
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = time.Minute
	maxBody           = 64 << 10
)

// Start listens on cfg.Socket and serves there until Close. A socket left
// there by an svman that died is replaced; anything else in its place is an
// error, and nothing is served. SetTCP adds the TCP listener.
func Start(cfg Config) (*Server, error) {
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	s := &Server{cfg: cfg, events: newHub(maxStreams), follows: make(chan struct{}, maxFollows), served: make(chan error, 1)}
	s.tokens = &tokenCheck{logf: cfg.Logf}
	s.base, s.cancel = context.WithCancel(context.Background())
	s.http = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		// WriteTimeout is set per request (limits): the event stream has none.
		ConnContext: withConn,
		ConnState: func(c net.Conn, st http.ConnState) {
			if l := s.tcp.Load(); l != nil && (st == http.StateClosed || st == http.StateHijacked) {
				l.forget(c)
			}
		},
		ErrorLog:    newErrorLog(cfg.Logf),
		BaseContext: func(net.Listener) context.Context { return s.base },
	}
	u, err := listenUnix(cfg.Socket)
	if err != nil {
		s.cancel()
		return nil, fmt.Errorf("control API: %w", err)
	}
	s.unix = u
	go func() { s.served <- s.http.Serve(u.l) }()
	return s, nil
}

// Close stops accepting, ends the event streams, waits for the requests in
// progress until ctx is done (then closes their connections) and removes the
// socket, if it is still this server's. Later calls return the first's error.
func (s *Server) Close(ctx context.Context) error {
	s.closeOnce.Do(func() { s.closeErr = s.close(ctx) })
	return s.closeErr
}

func (s *Server) close(ctx context.Context) error {
	s.tcpMu.Lock()
	s.tcpClosed = true
	s.tcpMu.Unlock()
	s.events.close()
	s.cancel()
	err := s.http.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = s.http.Close()
	}
	served := []chan error{s.served}
	if l := s.tcp.Load(); l != nil {
		served = append(served, l.served)
	}
	for _, c := range served {
		if serr := <-c; !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
	}
	s.unix.remove()
	return err
}

// connKey holds a request's connection in its context (peer credentials).
type connKey struct{}

func withConn(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}
