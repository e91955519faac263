package manifest

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

// TestLogFormatAndParse loads log format and parse, from a module's block and
// from defaults (field by field: a module's own log block keeps what it does not
// say from defaults), and points at an invalid value with the words allowed.
func TestLogFormatAndParse(t *testing.T) {
	tests := []struct {
		defaults, module string // the log blocks' bodies
		format           LogFormat
		parse            LogParse
		summary, at      string // the diagnostic and the text it points at
	}{
		{"", "", LogText, ParseNone, "", ""},
		{"", `format = "json"`, LogJSON, ParseNone, "", ""},
		{"", `format = "text"`, LogText, ParseNone, "", ""},
		{`format = "json"`, `parse = "json"`, LogJSON, ParseJSON, "", ""},
		{`format = "json"` + "\n" + `parse = "json"`, `format = "text"`, LogText, ParseJSON, "", ""},
		{"", `parse = "none"`, LogText, ParseNone, "", ""},
		{"", `format = "jsno"`, 0, 0, "Unknown log format", `"jsno"`},
		{"", `format = "ndjson"`, 0, 0, "Unknown log format", `"ndjson"`},
		{`parse = "yaml"`, "", 0, 0, "Unknown log parse", `"yaml"`},
		{"", `format = ["json"]`, 0, 0, "", `["json"]`},
	}
	for _, tt := range tests {
		src := fmt.Sprintf("defaults {\n  log {\n    %s\n  }\n}\nmodule \"a\" {\n  command = [\"x\"]\n  log {\n    %s\n  }\n}\n", tt.defaults, tt.module)
		path := filepath.Join(t.TempDir(), "m.hcl")
		writeFiles(t, filepath.Dir(path), map[string]string{"m.hcl": src})
		m, err := Load(path)
		if tt.at == "" {
			if err != nil || m.Modules[0].Log.Format != tt.format || m.Modules[0].Log.Parse != tt.parse {
				t.Errorf("%q / %q: %v; want format %s, parse %s", tt.defaults, tt.module, err, tt.format, tt.parse)
			} else if m.Modules[0].Log.Format.String() != map[LogFormat]string{LogText: "text", LogJSON: "json"}[tt.format] {
				t.Errorf("format %d reads %q", tt.format, tt.format)
			}
			continue
		}
		var de *DiagError
		if !errors.As(err, &de) || len(de.Diags) != 1 {
			t.Errorf("%q / %q: got %v, want one diagnostic", tt.defaults, tt.module, err)
			continue
		}
		d := de.Diags[0]
		got := src[d.Subject.Start.Byte:d.Subject.End.Byte]
		if (tt.summary != "" && d.Summary != tt.summary) || got != tt.at || d.Subject.Start.Line == 0 || d.Subject.Start.Column == 0 {
			t.Errorf("%q / %q: got %q at %q (%v), want %q at %q", tt.defaults, tt.module, d.Summary, got, d.Subject, tt.summary, tt.at)
		}
	}
}
