package manifest

import (
	"io"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// DiagError is the error Load returns for any problem with a manifest, from a
// missing file to a dozen mistakes inside it. It carries every diagnostic found,
// not just the first, so one run of svman shows everything to fix.
type DiagError struct {
	// Diags holds every diagnostic found (at least one error, but for
	// Manifest.Warnings, which holds only warnings), sorted by file and
	// position so they read top to bottom; those without a Subject (file-level
	// problems) come first.
	Diags hcl.Diagnostics
	// Files are the parsed files, keyed by the file name the diagnostics use,
	// so that WriteText can quote the offending source lines. It may be empty.
	Files map[string]*hcl.File
	// Sources are the env files the manifest names, as Manifest.Sources,
	// when it was read far enough to tell: creating a missing one may be what
	// fixes it, so svman up watches them too.
	Sources []string
}

// Error returns the same text as WriteText without color, minus the final newline.
func (e *DiagError) Error() string {
	var b strings.Builder
	_ = e.WriteText(&b, false) // a strings.Builder never fails
	return strings.TrimRight(b.String(), "\n")
}

// WriteText writes every diagnostic as compilers do, so editors and terminals can
// jump to it: "file:line:col: error: summary", the source line with the subject
// underlined, then the detail. color adds terminal escape sequences.
func (e *DiagError) WriteText(w io.Writer, color bool) error {
	var b strings.Builder
	for i, d := range e.Diags {
		if i > 0 {
			b.WriteByte('\n')
		}
		writeDiag(&b, d, e.Files, color)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// diagErr builds the diagnostic most of this package reports: an error at rng.
func diagErr(rng hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()}
}

// sortDiags orders diagnostics by position, in place. The order gohcl reports
// unknown arguments in follows Go map iteration, so without this the output (and
// the golden tests) would change from run to run.
func sortDiags(diags hcl.Diagnostics) {
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i].Subject, diags[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		case a.Start.Byte != b.Start.Byte:
			return a.Start.Byte < b.Start.Byte
		default:
			return a.End.Byte < b.End.Byte
		}
	})
}
