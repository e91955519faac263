package alarm

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// SMTP is how mail goes out. It mirrors manifest.SMTP, whose defaults apply here too
// to fields left zero: Host "127.0.0.1", Port 25, From "svman@" + the alarm's host name.
type SMTP struct {
	Host               string
	Port               int
	From               string
	Username, Password string // AUTH PLAIN when Username is set
	StartTLS           bool   // upgrade with STARTTLS, verifying the certificate for Host
}

// sendMail delivers one message about f to all of to. ctx bounds the whole
// conversation, not only the dial: a server that accepts and then says nothing
// must not hold the delivery past the timeout.
func sendMail(ctx context.Context, c SMTP, to []string, f Facts) error {
	if c.Host == "" {
		c.Host = "127.0.0.1"
	}
	if c.Port == 0 {
		c.Port = 25
	}
	if c.From == "" {
		c.From = "svman@" + f.Hostname
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return fmt.Errorf("sender address %q: %w", c.From, err)
	}
	rcpts := make([]*mail.Address, len(to))
	for i, a := range to {
		if rcpts[i], err = mail.ParseAddress(a); err != nil {
			return fmt.Errorf("recipient address %q: %w", a, err)
		}
	}
	msg := compose(from, rcpts, f)

	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// Cancellation before the deadline also ends the conversation at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	cl, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		return fmt.Errorf("greeting from %s: %w", addr, err)
	}
	defer cl.Close()
	if err := cl.Hello(heloName(f.Hostname)); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if c.StartTLS {
		if ok, _ := cl.Extension("STARTTLS"); !ok {
			return fmt.Errorf("%s does not offer STARTTLS, which the smtp settings require", addr)
		}
		if err := cl.StartTLS(&tls.Config{ServerName: c.Host}); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if c.Username != "" {
		if err := auth(cl, c); err != nil {
			return err
		}
	}
	if err := cl.Mail(from.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	for _, rcpt := range rcpts {
		if err := cl.Rcpt(rcpt.Address); err != nil {
			return fmt.Errorf("RCPT TO %s: %w", rcpt.Address, err)
		}
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	// The message is accepted once DATA is; a failed QUIT loses nothing.
	cl.Quit()
	return nil
}

// auth logs in with AUTH PLAIN. Like net/smtp, it refuses to send the password in
// clear text to anything but the local host; the check is made here too so the
// error says what to change.
func auth(cl *smtp.Client, c SMTP) error {
	if ok, _ := cl.Extension("AUTH"); !ok {
		return errors.New("the smtp settings have a username but the server offers no AUTH (it may offer it only after STARTTLS)")
	}
	if _, isTLS := cl.TLSConnectionState(); !isTLS && !isLocalhost(c.Host) {
		return fmt.Errorf("refusing to send the SMTP password to %s without TLS: enable start_tls", c.Host)
	}
	if err := cl.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
		return fmt.Errorf("AUTH PLAIN as %q: %w", c.Username, err)
	}
	return nil
}

// isLocalhost is net/smtp's own list of hosts that may get a password without TLS.
func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// compose builds the message: headers, a blank line, the facts one per line.
// Lines end in LF; net/smtp's DATA writer turns them into CRLF and dot-stuffs them.
// The addresses come from net/mail, whose String encodes display names safely.
func compose(from *mail.Address, to []*mail.Address, f Facts) []byte {
	date := f.Time
	if date.IsZero() {
		date = time.Now()
	}
	var id [12]byte
	rand.Read(id[:])

	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\n") }
	tos := make([]string, len(to))
	for i, a := range to {
		tos[i] = a.String()
	}
	header("From", from.String())
	header("To", strings.Join(tos, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", headerText("[svman] "+f.Message)))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+heloName(f.Hostname)+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	// Quoted-printable keeps the body 7-bit and its lines short, whatever a module
	// is called and whatever the server accepts.
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(lines(f)))
	qp.Close()
	return b.Bytes()
}

// headerText makes s safe as one header value: control characters, CR and LF
// above all, become spaces, so no value can end its header and start another.
func headerText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// heloName is the host name to greet with and to put in the Message-ID: h when it
// is a plain DNS name, else "localhost" (net/smtp's own default).
func heloName(h string) string {
	if h == "" || len(h) > 253 {
		return "localhost"
	}
	for _, r := range h {
		if !(r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "localhost"
		}
	}
	return h
}
