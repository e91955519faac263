package api

import (
	"bytes"
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
// the connections it accepted.
func (l *tcpListener) retire() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.Listener.Close()
	<-l.served
	l.closeConns()
}

// closeConns closes the connections the listener accepted, at once (a TLS
// one sends no alert it would wait to write): their requests in progress end,
// the event streams and followed logs among them.
func (l *tcpListener) closeConns() {
	l.mu.Lock()
	conns := slices.Collect(maps.Keys(l.conns))
	clear(l.conns)
	l.mu.Unlock()
	for _, c := range conns {
		_ = c.SetDeadline(time.Now())
		c.Close()
	}
}

// SetTCP applies the api block t (at start, and of each manifest reloaded)
// to the TCP listener, and says on the console (Config.Logf) what changed,
// or why it could not; the error is returned too.
//
// The token and certificate apply first, to the listener there is, whatever
// happens to the listen: a reload that revokes a token revokes it even when
// its new listen cannot be made. A new token also closes the connections the
// listener holds, so that no event stream or followed log authorized by the
// old one goes on. A new listen, or a change between TLS and plain HTTP, opens
// the new listener before it closes the old one with its connections; at the
// same address (however written: "localhost:7070" is "127.0.0.1:7070") the
// old one closes first, and if the new one cannot be made no TCP listener
// remains. No listen closes it. The unix socket is never affected. It is a
// no-op on a nil or closed Server.
func (s *Server) SetTCP(t manifest.API) error {
	if s == nil {
		return nil
	}
	s.tcpMu.Lock()
	defer s.tcpMu.Unlock()
	if s.tcpClosed {
		return nil
	}
	err := s.setTCP(t)
	if err != nil {
		where := "no TCP listener"
		if l := s.tcp.Load(); l != nil {
			where = "TCP stays on " + l.Addr().String()
		}
		err = fmt.Errorf("control API on %s: %w; the control socket serves, %s", t.Listen, err, where)
		s.cfg.Logf("%v", err)
	}
	return err
}

// setTCP is SetTCP with tcpMu held.
func (s *Server) setTCP(t manifest.API) error {
	var cert *tls.Certificate
	if t.TLSCert != "" {
		c, err := tls.X509KeyPair(t.TLSCertPEM, t.TLSKeyPEM)
		if err != nil {
			return err
		}
		cert = &c
	}
	cur := s.tcp.Load()
	newToken := !bytes.Equal(s.tokens.get(), t.Token)
	s.tokens.set(t.Token)
	if cert != nil {
		s.cert.Store(cert) // a listener that stays without TLS never asks for it
	}
	if cur != nil && newToken {
		cur.closeConns()
	}
	switch {
	case cur != nil && cur.tls == (cert != nil) && cur.at(t.Listen):
		cur.listen = t.Listen
		if newToken {
			s.cfg.Logf("control API: the new token of %s is in force", cur.Addr())
		}
		return nil
	case t.Listen == "":
		if cur != nil {
			s.tcp.Store(nil)
			cur.retire()
			s.cfg.Logf("control API: no TCP listener any more")
		}
		return nil
	case cur != nil && cur.at(t.Listen):
		s.tcp.Store(nil)
		cur.retire()
		cur = nil
	}
	l, err := s.listenTCP(t.Listen, cert != nil)
	if err != nil {
		return err
	}
	if cur != nil {
		cur.retire()
	}
	s.tcp.Store(l)
	go func() { l.served <- s.http.Serve(l) }()
	scheme := "HTTP"
	if l.tls {
		scheme = "HTTPS"
	}
	s.cfg.Logf("control API on %s (%s) too", l.Addr(), scheme)
	return nil
}

// at reports whether the listener is at listen: listen is its own text, or
// resolves to the address it is bound to ("localhost:7070" for one made for
// "127.0.0.1:7070"; a port 0 is a new port each time).
func (l *tcpListener) at(listen string) bool {
	if listen == l.listen {
		return true
	}
	want, err := net.ResolveTCPAddr("tcp", listen)
	bound, ok := l.Addr().(*net.TCPAddr)
	return err == nil && ok && want.Port != 0 && want.Port == bound.Port && want.IP.Equal(bound.IP)
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
