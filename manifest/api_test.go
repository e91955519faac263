package manifest

import (
	"path/filepath"
	"strings"
	"testing"
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
		"tls.hcl":           "api {\n  listen = \"10.0.0.1:7070\"\n  token_file = \"./secrets/api-token\"\n  tls_cert = \"c.pem\"\n  tls_key = \"k.pem\"\n}\n",
		"half.hcl":          "api {\n  listen = \"127.0.0.1:7070\"\n  tls_cert = \"c.pem\"\n}\n",
		"bad.hcl":           "api {\n  listen = \"7070\"\n}\n",
		"local.hcl":         "api {\n  listen = \"127.0.0.1:7070\"\n}\n",
	})
	m, err := Load(filepath.Join(dir, "ok.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if m.API.Listen != "127.0.0.1:7070" || string(m.API.Token) != "s3cr3t-token" || m.API.TLSCert != "" {
		t.Errorf("api: %+v", m.API)
	}
	if m, err := Load(filepath.Join(dir, "tls.hcl")); err != nil || m.API.TLSCert != filepath.Join(dir, "c.pem") || m.API.TLSKey != filepath.Join(dir, "k.pem") {
		t.Errorf("api with TLS: %+v, %v", m, err)
	}
	for file, want := range map[string]string{
		"open.hcl": "open.hcl:2:12: error: Unprotected listen",
		"half.hcl": "Incomplete TLS",
		"bad.hcl":  "bad.hcl:2:12: error: Invalid listen",
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
