package manifest

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"svman/internal/testkit"
)

// The api block: a loopback listen with a token read from its file; a
// listen on the network without token and TLS is refused at its line, and
// no diagnostic shows the token.
func TestAPIBlock(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"secrets/api-token": "  s3cr3t-token\n",
		"ok.hcl":            "api {\n  listen = \"127.0.0.1:7070\"\n  token_file = \"./secrets/api-token\"\n}\n",
		"open.hcl":          "api {\n  listen = \"0.0.0.0:7070\"\n  token_file = \"./secrets/api-token\"\n}\n",
		"tls.hcl":           "api {\n  listen = \"10.0.0.1:7070\"\n  token_file = \"./secrets/api-token\"\n  tls_cert = \"cert.pem\"\n  tls_key = \"key.pem\"\n}\n",
		"badtls.hcl":        "api {\n  listen = \"10.0.0.1:7070\"\n  token_file = \"./secrets/api-token\"\n  tls_cert = \"cert.pem\"\n  tls_key = \"secrets/api-token\"\n}\n",
		"nocert.hcl":        "api {\n  listen = \"10.0.0.1:7070\"\n  token_file = \"./secrets/api-token\"\n  tls_cert = \"none.pem\"\n  tls_key = \"key.pem\"\n}\n",
		"half.hcl":          "api {\n  listen = \"127.0.0.1:7070\"\n  tls_cert = \"c.pem\"\n}\n",
		"bad.hcl":           "api {\n  listen = \"7070\"\n}\n",
		"local.hcl":         "api {\n  listen = \"127.0.0.1:7070\"\n}\n",
	})
	certFile, keyFile, _ := testkit.SelfSigned(t, dir)
	m, err := Load(filepath.Join(dir, "ok.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	// The token file is a source of the manifest: watched, and in its digest.
	if !slices.Contains(m.Sources, filepath.Join(dir, "secrets/api-token")) {
		t.Errorf("sources %v: want the token file", m.Sources)
	}
	if m.API.Listen != "127.0.0.1:7070" || string(m.API.Token) != "s3cr3t-token" || m.API.TLSCert != "" {
		t.Errorf("api: %+v", m.API)
	}
	if m, err := Load(filepath.Join(dir, "tls.hcl")); err != nil || m.API.TLSCert != certFile || m.API.TLSKey != keyFile || !slices.Contains(m.Sources, keyFile) {
		t.Errorf("api with TLS: %+v, %v", m, err)
	}
	for file, want := range map[string]string{
		"open.hcl": "open.hcl:2:12: error: Unprotected listen",
		"half.hcl": "Incomplete TLS",
		"bad.hcl":  "bad.hcl:2:12: error: Invalid listen",
		// A key that is no key (here the token: never quoted).
		"badtls.hcl": "badtls.hcl:1:1: error: Invalid TLS certificate or key",
		"nocert.hcl": "nocert.hcl:4:14: error: Unreadable tls_cert",
		// Every local user reaches a loopback port: a token is needed there too.
		"local.hcl": "local.hcl:2:12: error: Unprotected listen",
	} {
		_, err := Load(filepath.Join(dir, file))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", file, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: the token is in the error: %v", file, err)
		}
	}
}
