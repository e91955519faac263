package api

import (
	"crypto/tls"
	"fmt"
	"maps"
	"net"
	"slices"
	"sync"
	"time"

	"svman/manifest"
)

// tcpListener is the TCP listener of the api block in force, and the
// connections it accepted: when a reload changes the block's listen or TLS,
// the listener is closed with its connections, so that none outlives the
// address or the TLS it was allowed by.
type tcpListener struct {
	net.Listener
	listen string     // the api block's listen, as written
	tls    bool       // with TLS (the certificate: Server.cert)
	served chan error // Serve's return, once the listener is closed

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

func (l *tcpListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		c.Close()
		return nil, net.ErrClosed
	}
	l.conns[c] = struct{}{}
	return c, nil
}

// forget drops c, closed or hijacked, from the connections to close.
func (l *tcpListener) forget(c net.Conn) {
	l.mu.Lock()
	delete(l.conns, c)
	l.mu.Unlock()
}

// retire closes the listener, waits for its Serve to return, and closes
// the connections it accepted at once (a TLS one sends no alert it would
// wait to write).
func (l *tcpListener) retire() {
	l.mu.Lock()
	l.closed = true
	conns := slices.Collect(maps.Keys(l.conns))
	l.mu.Unlock()
	l.Listener.Close()
	<-l.served
	for _, c := range conns {
		_ = c.SetDeadline(time.Now())
		c.Close()
	}
}

// SetTCP applies the api block t (of a manifest reloaded) to the TCP
// listener: a new token or certificate applies to the next request, on the
// listener there is; a new listen or a change between TLS and plain HTTP
// opens the new listener before the old one closes, with its connections
// (both at once when the address is the same); no listen closes it. On an
// error (a certificate that cannot be loaded, an address taken) nothing
// changes, unless the address was the same: then no TCP listener remains.
// The unix socket is never affected. It is a no-op on a nil or closed
// Server.
func (s *Server) SetTCP(t manifest.API) error {
	if s == nil {
		return nil
	}
	s.tcpMu.Lock()
	defer s.tcpMu.Unlock()
	if s.tcpClosed {
		return nil
	}
	var cert *tls.Certificate
	if t.TLSCert != "" {
		c, err := tls.LoadX509KeyPair(t.TLSCert, t.TLSKey)
		if err != nil {
			return fmt.Errorf("control API on %s: %w", t.Listen, err)
		}
		cert = &c
	}
	cur := s.tcp.Load()
	if cur != nil && cur.listen == t.Listen && cur.tls == (cert != nil) {
		s.tokens.set(t.Token)
		s.cert.Store(cert)
		return nil
	}
	if cur != nil && (t.Listen == "" || cur.listen == t.Listen) {
		s.tcp.Store(nil)
		cur.retire()
		cur = nil
	}
	if t.Listen == "" {
		s.tokens.set(nil)
		return nil
	}
	l, err := s.listenTCP(t.Listen, cert != nil)
	if err != nil {
		return fmt.Errorf("control API on %s: %w", t.Listen, err)
	}
	if cur != nil {
		cur.retire()
	}
	s.tokens.set(t.Token)
	s.cert.Store(cert)
	s.tcp.Store(l)
	go func() { l.served <- s.http.Serve(l) }()
	return nil
}

// listenTCP listens on listen; with TLS, with the certificate in s.cert
// at each handshake.
func (s *Server) listenTCP(listen string, withTLS bool) (*tcpListener, error) {
	raw, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, err
	}
	l := &tcpListener{Listener: raw, listen: listen, tls: withTLS, served: make(chan error, 1), conns: make(map[net.Conn]struct{})}
	if withTLS {
		l.Listener = tls.NewListener(raw, &tls.Config{
			GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return s.cert.Load(), nil },
			MinVersion:     tls.VersionTLS12,
		})
	}
	return l, nil
}

// TCPAddr is the address the TCP listener listens on, "" without one.
func (s *Server) TCPAddr() string {
	if l := s.tcp.Load(); l != nil {
		return l.Addr().String()
	}
	return ""
}
