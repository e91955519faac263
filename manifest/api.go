package manifest

import (
	"bytes"
	"crypto/tls"
	"net"

	"github.com/hashicorp/hcl/v2"
)

// API is the top-level api block: the control API's TCP listener, besides
// its unix socket in status_dir (which needs none of this). The zero API
// (no block, or no listen) serves the socket only.
type API struct {
	// Listen is host:port; empty: no TCP listener.
	Listen string
	// Token is the bearer token every TCP request must carry, read from
	// token_file at load (surrounding blanks and newlines trimmed). It is a
	// secret: never printed, and no part of the manifest's diagnostics.
	Token []byte `json:"-"`
	// TLSCert and TLSKey are the certificate and key files for TLS, absolute;
	// both empty: plain HTTP.
	TLSCert, TLSKey string
	// TLSCertPEM and TLSKeyPEM are what those files held at load, checked to
	// be a certificate and its key: the listener uses these, so a renewal
	// caught between the two files is never half taken. The key is a secret.
	TLSCertPEM, TLSKeyPEM []byte `json:"-"`
}

// rawAPI is the api block.
type rawAPI struct {
	DefRange  hcl.Range      `hcl:",def_range"`
	Listen    hcl.Expression `hcl:"listen,optional"`
	TokenFile hcl.Expression `hcl:"token_file,optional"`
	TLSCert   hcl.Expression `hcl:"tls_cert,optional"`
	TLSKey    hcl.Expression `hcl:"tls_key,optional"`
}

// api evaluates the top-level api block. A listen that is not on a loopback
// address needs both a token and TLS: without them anyone on the network
// could control the modules, or read the token on the wire.
func (ev *evaluator) api(blocks []*rawAPI, baseDir string) API {
	r := onlyOne(ev, "api", blocks, func(r *rawAPI) hcl.Range { return r.DefRange })
	if r == nil {
		return API{}
	}
	var a API
	listen := ev.str("listen", r.Listen)
	tokenFile := ev.path("token_file", r.TokenFile, baseDir)
	cert, key := ev.path("tls_cert", r.TLSCert, baseDir), ev.path("tls_key", r.TLSKey, baseDir)
	if listen != nil {
		host, _, err := net.SplitHostPort(*listen)
		if err != nil {
			ev.errorf(r.Listen.Range(), "Invalid listen", "listen must be host:port, such as \"127.0.0.1:7070\"; %s is not.", ev.quote(r.Listen.Range(), *listen))
			return a
		}
		a.Listen = *listen
		ip := net.ParseIP(host)
		loopback := host == "localhost" || ip != nil && ip.IsLoopback()
		switch {
		case !loopback && (tokenFile == nil || cert == nil || key == nil):
			ev.errorf(r.Listen.Range(), "Unprotected listen",
				"%s is not a loopback address: anyone who reaches it could control the modules. Give token_file and tls_cert and tls_key, or listen on 127.0.0.1.", ev.quote(r.Listen.Range(), *listen))
		case tokenFile == nil:
			// The socket admits only svman's user and root; a port on
			// loopback admits every local user, and every program that can
			// be made to send a request to localhost.
			ev.errorf(r.Listen.Range(), "Unprotected listen",
				"Every local user can reach %s, and could control the modules through it. Give token_file (TLS stays optional on loopback), or use the control socket, status_dir/.svman.sock, which only svman's user and root can use.", ev.quote(r.Listen.Range(), *listen))
		}
	}
	if tokenFile != nil {
		b, err := ev.otherSource(*tokenFile)
		switch tok := bytes.TrimSpace(b); {
		case err != nil:
			ev.errorf(r.TokenFile.Range(), "Unreadable token_file", "%v.", err)
		case len(tok) == 0:
			ev.errorf(r.TokenFile.Range(), "Empty token_file", "%s holds no token: write one (such as the output of 'openssl rand -hex 32') in it.", *tokenFile)
		default:
			a.Token = tok
		}
	}
	if (cert == nil) != (key == nil) {
		ev.errorf(r.DefRange, "Incomplete TLS", "TLS needs both tls_cert and tls_key: give both, or neither for plain HTTP.")
	} else if cert != nil {
		a.TLSCert, a.TLSKey = *cert, *key
		a.TLSCertPEM, a.TLSKeyPEM = ev.tlsPair(r, a.TLSCert, a.TLSKey)
	}
	if a.Listen == "" && (tokenFile != nil || cert != nil) {
		ev.errorf(r.DefRange, "Missing listen", "token_file and TLS apply to the TCP listener: give listen = \"127.0.0.1:7070\" (the unix socket in status_dir needs neither).")
	}
	return a
}

// tlsPair reads cert and key (absolute paths) and checks that they are a
// certificate and its key in PEM, so that check refuses what the listener
// could not use; they are read as sources of the manifest (otherSource), so
// renewing them reloads. It returns what they hold; nil after an error.
func (ev *evaluator) tlsPair(r *rawAPI, cert, key string) (certPEM, keyPEM []byte) {
	c, cerr := ev.otherSource(cert)
	k, kerr := ev.otherSource(key)
	switch {
	case cerr != nil:
		ev.errorf(r.TLSCert.Range(), "Unreadable tls_cert", "%v.", cerr)
	case kerr != nil:
		ev.errorf(r.TLSKey.Range(), "Unreadable tls_key", "%v.", kerr)
	default:
		if _, err := tls.X509KeyPair(c, k); err != nil {
			// The error names no byte of the key.
			ev.errorf(r.DefRange, "Invalid TLS certificate or key", "%s and %s are not a certificate and its key in PEM: %v.", cert, key, err)
			return nil, nil
		}
		return c, k
	}
	return nil, nil
}
