package manifest

import (
	"errors"
	"path/filepath"
	"testing"
)

// TestLogMode loads log modes: the private default however written, the two
// readable ones, and refuses any mode that lets another user write or execute
// the logs, or a number (which HCL reads as decimal), pointing at the value.
func TestLogMode(t *testing.T) {
	tests := []struct {
		value   string
		want    uint32
		summary string
	}{
		{`"0600"`, 0, ""},
		{`"600"`, 0, ""},
		{`"0640"`, 0o640, ""},
		{`"0644"`, 0o644, ""},
		{`"0660"`, 0, "Invalid log mode"},
		{`"0666"`, 0, "Invalid log mode"},
		{`"0755"`, 0, "Invalid log mode"},
		{`"0400"`, 0, "Invalid log mode"},
		{`640`, 0, "Invalid log mode"},
	}
	for _, tt := range tests {
		src := "module \"a\" {\n  command = [\"x\"]\n  log {\n    mode = " + tt.value + "\n  }\n}\n"
		path := filepath.Join(t.TempDir(), "m.hcl")
		writeFiles(t, filepath.Dir(path), map[string]string{"m.hcl": src})
		m, err := Load(path)
		if tt.summary == "" {
			if err != nil || m.Modules[0].Log.Mode != tt.want {
				t.Errorf("mode = %s: %v, mode %#o; want %#o", tt.value, err, m.Modules[0].Log.Mode, tt.want)
			}
			continue
		}
		var de *DiagError
		if !errors.As(err, &de) || len(de.Diags) != 1 {
			t.Errorf("mode = %s: got %v, want one diagnostic", tt.value, err)
			continue
		}
		d := de.Diags[0]
		if got := src[d.Subject.Start.Byte:d.Subject.End.Byte]; d.Summary != tt.summary || got != tt.value {
			t.Errorf("mode = %s: got %q at %q, want %q", tt.value, d.Summary, got, tt.summary)
		}
	}
}
