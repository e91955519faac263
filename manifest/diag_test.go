package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// TestDiagnosticRanges checks the columns that the golden text cannot show (it
// prints file and line only): each diagnostic must cover exactly the text to edit.
func TestDiagnosticRanges(t *testing.T) {
	src := `module "bad name" {
  command      = ["", "x"]
  stop_timeout = 10
  env          = { "A=B" = "1", OK = [1] }
  alarm {
    mail = ["ops@example.com", "nope"]
  }
}
`
	// want maps each covered source text to the summary expected there.
	want := map[string]string{
		`"bad name"`: "Invalid module name",
		`""`:         "Empty command",
		`10`:         "Invalid stop_timeout",
		`"A=B"`:      "Invalid environment variable name",
		`[1]`:        `Invalid env["OK"]`,
		`"nope"`:     "Invalid mail address",
	}
	path := filepath.Join(t.TempDir(), "m.hcl")
	writeFiles(t, filepath.Dir(path), map[string]string{"m.hcl": src})
	_, err := Load(path)
	var de *DiagError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want a *DiagError", err)
	}
	got := map[string]string{}
	for _, d := range de.Diags {
		if d.Subject == nil {
			t.Errorf("%s: no Subject", d.Summary)
			continue
		}
		got[string(d.Subject.SliceBytes([]byte(src)))] = d.Summary
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("diagnostics cover\n%v\nwant\n%v", got, want)
	}
}

func TestDiagErrorText(t *testing.T) {
	_, err := Load("testdata/bad/restart.hcl")
	var de *DiagError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want a *DiagError", err)
	}
	var plain, color bytes.Buffer
	if err := de.WriteText(&plain, false); err != nil {
		t.Fatal(err)
	}
	if err := de.WriteText(&color, true); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") || !strings.Contains(color.String(), "\x1b[") {
		t.Errorf("color escapes wrong:\nplain %q\ncolor %q", plain.String(), color.String())
	}
	if got := err.Error(); got+"\n" != plain.String() && got != strings.TrimRight(plain.String(), "\n") {
		t.Errorf("Error() = %q, want the plain text", got)
	}
}

func TestSortDiags(t *testing.T) {
	at := func(file string, b int) *hcl.Diagnostic {
		r := hcl.Range{Filename: file, Start: hcl.Pos{Byte: b}, End: hcl.Pos{Byte: b + 1}}
		return diagErr(r, fmt.Sprintf("%s:%d", file, b), "")
	}
	diags := hcl.Diagnostics{at("b", 1), at("a", 9), &hcl.Diagnostic{Summary: "nil"}, at("a", 2)}
	sortDiags(diags)
	var got []string
	for _, d := range diags {
		got = append(got, d.Summary)
	}
	if s := strings.Join(got, " "); s != "nil a:2 a:9 b:1" {
		t.Errorf("order %s", s)
	}
}
