package alarm

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

// received is one message as the test SMTP server got it.
type received struct {
	from string
	to   []string
	data []byte
}

// smtpServer is a real SMTP server on loopback that records what it receives.
type smtpServer struct {
	conf      SMTP // how to reach it
	msgs      chan received
	user      string // when set, AUTH PLAIN with user and pass is required
	pass      string
	authTries atomic.Int32
}

// startSMTP serves on ip:0 until the test ends. tlsConf, when set, offers STARTTLS.
func startSMTP(t *testing.T, ip, user, pass string, tlsConf *tls.Config) *smtpServer {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{msgs: make(chan received, 4), user: user, pass: pass}
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
	addr := l.Addr().(*net.TCPAddr)
	s.conf = SMTP{Host: ip, Port: addr.Port, From: "svman@box1"}
	return s
}

type session struct {
	srv    *smtpServer
	authed bool
	msg    received
}

func (s *session) AuthMechanisms() []string {
	if s.srv.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	s.srv.authTries.Add(1)
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
	s.msg.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.data = b
	s.srv.msgs <- s.msg
	return nil
}

func (s *session) Reset()        { s.msg = received{} }
func (s *session) Logout() error { return nil }

func (s *smtpServer) wait(t *testing.T) received {
	t.Helper()
	select {
	case m := <-s.msgs:
		return m
	case <-time.After(waitLimit):
		t.Fatal("no mail arrived")
		return received{}
	}
}
