package alarm

import (
	"crypto/tls"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"slices"
	"strings"
	"testing"

	"svman/internal/smtptest"
)

// decodeMail parses the message and returns its headers and decoded body.
func decodeMail(t *testing.T, data []byte) (mail.Header, string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("unparsable mail: %v\n%s", err, data)
	}
	if got := m.Header.Get("Content-Transfer-Encoding"); got != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding %q", got)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return m.Header, string(body)
}

func TestMail(t *testing.T) {
	srv := smtptest.Start(t, "127.0.0.1", "", "", nil)
	fail, failed := failures()
	s := NewSender(Config{SMTP: SMTP{Host: "192.0.2.1"}, Failed: fail})
	s.SetSMTP(serverConf(srv)) // later alarms use the new settings
	f := testFacts()
	f.Module = "wéb" // not ASCII, to exercise the header and body encodings
	s.Send(Channels{Mail: []string{"ops@example.com", "Night Shift <pager@example.com>"}}, f)

	m := srv.Wait(t)
	closeWithin(t, s)
	noFailure(t, failed)

	if m.From != "svman@box1" {
		t.Errorf("MAIL FROM %q", m.From)
	}
	if want := []string{"ops@example.com", "pager@example.com"}; !slices.Equal(m.To, want) {
		t.Errorf("RCPT TO %q, want %q", m.To, want)
	}
	h, body := decodeMail(t, m.Data)
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	f.Message = Message(f) // what Send filled in
	if want := "[svman] " + f.Message; subject != want {
		t.Errorf("Subject %q, want %q", subject, want)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 2 || to[1].Name != "Night Shift" || to[1].Address != "pager@example.com" {
		t.Errorf("To %q: %v %v", h.Get("To"), to, err)
	}
	if date, err := h.Date(); err != nil || !date.Equal(f.Time) {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	if !strings.HasPrefix(h.Get("Message-ID"), "<") || !strings.HasSuffix(h.Get("Message-ID"), "@box1>") {
		t.Errorf("Message-ID %q", h.Get("Message-ID"))
	}
	if got := h.Get("Content-Type"); got != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	for _, line := range []string{"module: wéb", "event: exited", "exit_code: -1", "signal: SIGSEGV",
		"coredumped: 1", "tries: 3", "hostname: box1", "message: " + f.Message, "time: 2024-05-06T07:08:09"} {
		if !strings.Contains(body, line) {
			t.Errorf("body lacks %q:\n%s", line, body)
		}
	}
}

// A module name cannot hold CR or LF, but if one did it must not add headers.
func TestMailHeaderInjection(t *testing.T) {
	srv := smtptest.Start(t, "127.0.0.1", "", "", nil)
	s := NewSender(Config{SMTP: serverConf(srv)})
	f := testFacts()
	f.Module = "web\r\nBcc: victim@example.com\r\n\r\nforged body"
	s.Send(Channels{Mail: []string{"ops@example.com"}}, f)
	m := srv.Wait(t)
	closeWithin(t, s)
	h, _ := decodeMail(t, m.Data)
	if h.Get("Bcc") != "" || strings.ContainsAny(h.Get("Subject"), "\r\n") {
		t.Errorf("header injected:\n%s", m.Data)
	}
	if !slices.Equal(m.To, []string{"ops@example.com"}) {
		t.Errorf("RCPT TO %q", m.To)
	}
}

// net/smtp sends a password without TLS to 127.0.0.1, and so do we.
func TestMailAuth(t *testing.T) {
	srv := smtptest.Start(t, "127.0.0.1", "alarm", "s3cret", nil)
	conf := serverConf(srv)
	conf.Username, conf.Password = "alarm", "s3cret"
	fail, failed := failures()
	s := NewSender(Config{SMTP: conf, Failed: fail})
	s.Send(Channels{Mail: []string{"ops@example.com"}}, testFacts())
	srv.Wait(t)
	closeWithin(t, s)
	noFailure(t, failed)
}

func TestMailWrongPassword(t *testing.T) {
	srv := smtptest.Start(t, "127.0.0.1", "alarm", "s3cret", nil)
	conf := serverConf(srv)
	conf.Username, conf.Password = "alarm", "guess"
	fail, failed := failures()
	s := NewSender(Config{SMTP: conf, Failed: fail})
	s.Send(Channels{Mail: []string{"ops@example.com"}}, testFacts())
	got := waitFailure(t, failed)
	closeWithin(t, s)
	if got.module != "web" || got.channel != "mail" || !strings.Contains(got.err.Error(), "AUTH") {
		t.Errorf("failure %+v", got)
	}
	t.Log(got.err)
	if len(srv.Pending()) != 0 {
		t.Error("mail delivered with a wrong password")
	}
}

// Any host but the local one never sees the password in clear text. 127.0.0.2 is
// loopback too, but not a name net/smtp trusts.
func TestMailAuthNeedsTLS(t *testing.T) {
	srv := smtptest.Start(t, "127.0.0.2", "alarm", "s3cret", nil)
	conf := serverConf(srv)
	conf.Username, conf.Password = "alarm", "s3cret"
	fail, failed := failures()
	s := NewSender(Config{SMTP: conf, Failed: fail})
	s.Send(Channels{Mail: []string{"ops@example.com"}}, testFacts())
	got := waitFailure(t, failed)
	closeWithin(t, s)
	if !strings.Contains(got.err.Error(), "without TLS") {
		t.Errorf("failure %v", got.err)
	}
	if n := srv.AuthTries.Load(); n != 0 {
		t.Errorf("%d AUTH attempts reached the server", n)
	}
}

func TestMailStartTLS(t *testing.T) {
	// The httptest certificate is for 127.0.0.1 but from a CA nobody trusts: the
	// upgrade must fail on verification, proving the certificate is checked.
	ts := httptest.NewTLSServer(http.NotFoundHandler())
	ts.Close()
	withTLS := smtptest.Start(t, "127.0.0.1", "", "", &tls.Config{Certificates: ts.TLS.Certificates})
	plain := smtptest.Start(t, "127.0.0.1", "", "", nil)

	for _, c := range []struct {
		srv  *smtptest.Server
		want string
	}{
		{withTLS, "certificate"},
		{plain, "does not offer STARTTLS"},
	} {
		conf := serverConf(c.srv)
		conf.StartTLS = true
		fail, failed := failures()
		s := NewSender(Config{SMTP: conf, Failed: fail})
		s.Send(Channels{Mail: []string{"ops@example.com"}}, testFacts())
		got := waitFailure(t, failed)
		closeWithin(t, s)
		if !strings.Contains(got.err.Error(), c.want) {
			t.Errorf("failure %v, want %q", got.err, c.want)
		}
		if len(c.srv.Pending()) != 0 {
			t.Error("mail delivered without TLS")
		}
	}
}

// serverConf is how the sender reaches the test server.
func serverConf(srv *smtptest.Server) SMTP {
	return SMTP{Host: srv.Host, Port: srv.Port, From: "svman@box1"}
}
