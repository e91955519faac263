package manifest

import (
	"errors"
	"path/filepath"
	"testing"
)

// TestSMTPCredentials checks that username and password must come together,
// and that the diagnostic points at the one to fix.
func TestSMTPCredentials(t *testing.T) {
	tests := []struct{ body, summary, subject string }{
		{`username = "u"`, "Missing password", `"u"`},
		{"username = \"u\"\n  password = \"\"", "Empty password", `""`},
		{`password = "p"`, "Missing username", `"p"`},
		{"username = \"\"\n  password = \"p\"", "Empty username", `""`},
		{"username = \"u\"\n  password = 1", "", ""}, // a number is a fine password
		{"username = [\"u\"]\n  password = \"p\"", "Invalid username", `["u"]`},
	}
	for _, tt := range tests {
		src := "smtp {\n  " + tt.body + "\n}\n"
		path := filepath.Join(t.TempDir(), "m.hcl")
		writeFiles(t, filepath.Dir(path), map[string]string{"m.hcl": src})
		_, err := Load(path)
		if tt.summary == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.body, err)
			}
			continue
		}
		var de *DiagError
		if !errors.As(err, &de) || len(de.Diags) != 1 {
			t.Errorf("%s: got %v, want one diagnostic", tt.body, err)
			continue
		}
		d := de.Diags[0]
		if got := src[d.Subject.Start.Byte:d.Subject.End.Byte]; d.Summary != tt.summary || got != tt.subject {
			t.Errorf("%s: got %q at %s, want %q at %s", tt.body, d.Summary, got, tt.summary, tt.subject)
		}
	}
}
