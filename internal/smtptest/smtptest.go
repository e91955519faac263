// Package smtptest runs a real SMTP server on loopback for tests, as
// net/http/httptest does for HTTP: it records every message it receives.
package smtptest

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// waitLimit bounds every wait of a test on this server.
const waitLimit = 10 * time.Second

// Message is one message as the server got it.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Server is a real SMTP server on loopback that records what it receives.
type Server struct {
	Host      string
	Port      int
	msgs      chan Message
	user      string // when set, AUTH PLAIN with user and pass is required
	pass      string
	AuthTries atomic.Int32
}

// Start serves on ip:0 until the test ends. With user set, AUTH PLAIN with user
// and pass is required; tlsConf, when set, offers STARTTLS.
func Start(t testing.TB, ip, user, pass string, tlsConf *tls.Config) *Server {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{msgs: make(chan Message, 16), user: user, pass: pass}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{srv: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true // net/smtp must be the one to refuse, or not
	srv.TLSConfig = tlsConf
	srv.ReadTimeout = waitLimit
	srv.WriteTimeout = waitLimit
	srv.ErrorLog = log.New(io.Discard, "", 0)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	s.Host, s.Port = ip, l.Addr().(*net.TCPAddr).Port
	return s
}

type session struct {
	srv    *Server
	authed bool
	msg    Message
}

func (s *session) AuthMechanisms() []string {
	if s.srv.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	s.srv.AuthTries.Add(1)
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.srv.user || pass != s.srv.pass {
			return errors.New("invalid credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.msg.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.Data = b
	s.srv.msgs <- s.msg
	return nil
}

func (s *session) Reset()        { s.msg = Message{} }
func (s *session) Logout() error { return nil }

// Wait returns the next message, failing the test if none arrives in time.
func (s *Server) Wait(t testing.TB) Message {
	t.Helper()
	select {
	case m := <-s.msgs:
		return m
	case <-time.After(waitLimit):
		t.Fatal("no mail arrived")
		return Message{}
	}
}

// Pending returns the messages received and not yet taken, without waiting.
func (s *Server) Pending() []Message {
	var out []Message
	for {
		select {
		case m := <-s.msgs:
			out = append(out, m)
		default:
			return out
		}
	}
}
