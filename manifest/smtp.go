package manifest

import (
	"fmt"
	"math/big"
	"net"
	"net/mail"
	"os"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Built-in SMTP settings: a mail server on the local machine, as on most
// servers that run cron.
const (
	defaultSMTPHost = "127.0.0.1"
	defaultSMTPPort = 25
)

// defaultFrom is svman@ the host's name, or svman@localhost when the name is
// unknown or does not make a valid address.
func defaultFrom() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		if _, err := mail.ParseAddress("svman@" + h); err == nil {
			return "svman@" + h
		}
	}
	return "svman@localhost"
}

// DefaultSMTP is the smtp block of a manifest that has none: the built-in
// defaults, which every SMTP that Load returns starts from.
func DefaultSMTP() SMTP {
	return SMTP{Host: defaultSMTPHost, Port: defaultSMTPPort, From: defaultFrom()}
}

// smtp evaluates the top-level smtp block, applying the built-in defaults to
// whatever it leaves out (to everything when there is none).
func (ev *evaluator) smtp(blocks []*rawSMTP) SMTP {
	s := DefaultSMTP()
	r := onlyOne(ev, "smtp", blocks, func(r *rawSMTP) hcl.Range { return r.DefRange })
	if r == nil {
		return s
	}
	s.Host = valueOr(ev.smtpHost(r.Host), s.Host)
	s.Port = valueOr(ev.port(r.Port), s.Port)
	s.From = valueOr(ev.from(r.From), s.From)
	s.StartTLS = valueOr(ev.boolean("starttls", r.StartTLS), false)
	before := len(ev.diags)
	user, pass := ev.str("username", r.Username), ev.str("password", r.Password)
	if len(ev.diags) == before { // a broken one is reported already: do not pair it
		ev.credentials(r, user, pass)
	}
	s.Username, s.Password = valueOr(user, ""), valueOr(pass, "")
	return s
}

// credentials checks that username and password come together: an empty
// string counts as unset, which is what env("SMTP_PASSWORD") reads when the
// variable is missing.
func (ev *evaluator) credentials(r *rawSMTP, user, pass *string) {
	hasUser, hasPass := valueOr(user, "") != "", valueOr(pass, "") != ""
	switch {
	case hasUser && pass != nil && !hasPass:
		ev.errorf(r.Password.Range(), "Empty password",
			"password is empty, so svman cannot log in as %s. If it is read with env(), that variable is unset or empty in svman's environment: set it. To send mail without logging in, remove username and password.", ev.quote(r.Username.Range(), *user))
	case hasUser && !hasPass:
		ev.errorf(r.Username.Range(), "Missing password",
			"username is set but password is not: logging in to the mail server needs both. Add password = env(\"SMTP_PASSWORD\") (and set that variable), or remove username to send without logging in.")
	case hasPass && user != nil && !hasUser:
		ev.errorf(r.Username.Range(), "Empty username",
			"username is empty but password is set: logging in to the mail server needs both. Give the user name, or remove password to send without logging in.")
	case hasPass && !hasUser:
		ev.errorf(r.Password.Range(), "Missing username",
			"password is set but username is not: logging in to the mail server needs both. Add username = \"...\", or remove password to send without logging in.")
	}
}

// smtpHost evaluates smtp host: a host name or IP address, without a port.
func (ev *evaluator) smtpHost(expr hcl.Expression) *string {
	s := ev.str("host", expr)
	if s == nil {
		return nil
	}
	const how = `Write a host name or IP address alone, such as "smtp.example.com", "127.0.0.1" or "::1", and give the port in port.`
	h := *s
	rng := expr.Range()
	switch {
	case strings.TrimSpace(h) == "":
		ev.errorf(expr.Range(), "Empty host", "host cannot be empty. Leave it out to use %q. %s", defaultSMTPHost, how)
	case strings.IndexFunc(h, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' }) >= 0:
		ev.errorf(rng, "Invalid host", "%s is not a host name or IP address. %s", ev.quote(rng, h), how)
	case strings.Contains(h, ":") && net.ParseIP(h) == nil:
		detail := fmt.Sprintf("%s is not a host name or IP address. %s", ev.quote(rng, h), how)
		if host, port, err := net.SplitHostPort(h); err == nil && host != "" && !ev.isSensitive(rng) {
			detail = fmt.Sprintf("%q holds a port: write host = %q and port = %s.", h, host, port)
		}
		ev.errorf(expr.Range(), "Invalid host", "%s", detail)
	default:
		return s
	}
	return nil
}

// port evaluates smtp port: a TCP port number.
func (ev *evaluator) port(expr hcl.Expression) *int {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	const how = "Mail servers listen on 25, or on 587 for clients that log in (with starttls = true)."
	n, err := convert.Convert(v, cty.Number)
	if err != nil || n.IsNull() {
		ev.errorf(expr.Range(), "Invalid port", "port must be a number, not %s. %s", describe(v), how)
		return nil
	}
	bf := n.AsBigFloat()
	i, acc := bf.Int64()
	if !bf.IsInt() || acc != big.Exact || i < 1 || i > 65535 {
		ev.errorf(expr.Range(), "Invalid port", "port must be a whole number from 1 to 65535; %s is not. %s", ev.show(expr.Range(), bf.Text('g', 10)), how)
		return nil
	}
	p := int(i)
	return &p
}

// from evaluates smtp from: the sender's address, bare or with a name.
func (ev *evaluator) from(expr hcl.Expression) *string {
	s := ev.str("from", expr)
	if s == nil {
		return nil
	}
	if _, err := mail.ParseAddress(*s); err != nil {
		ev.errorf(expr.Range(), "Invalid from", "%s is not an email address%s. Write it as \"svman@example.com\" or \"svman <svman@example.com>\".", ev.quote(expr.Range(), *s), ev.because(expr.Range(), strings.ReplaceAll(err.Error(), "mail: ", "")))
		return nil
	}
	return s
}
