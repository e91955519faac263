package manifest

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

const (
	ansiBold  = "\x1b[1m"
	ansiRed   = "\x1b[1;31m"
	ansiMag   = "\x1b[1;35m"
	ansiReset = "\x1b[0m"
)

// writeDiag writes one diagnostic:
//
//	supervise.hcl:13:17: error: Unknown signal
//	   13 |   stop_signal = "TERN"
//	      |                 ^^^^^^
//	  stop_signal = "TERN" is not a signal svman knows; did you mean "TERM"?
func writeDiag(b *strings.Builder, d *hcl.Diagnostic, files map[string]*hcl.File, color bool) {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	severity := paint(ansiRed, "error")
	if d.Severity == hcl.DiagWarning {
		severity = paint(ansiMag, "warning")
	}
	if d.Subject != nil {
		r := d.Subject
		b.WriteString(paint(ansiBold, fmt.Sprintf("%s:%d:%d:", r.Filename, r.Start.Line, r.Start.Column)))
	} else {
		b.WriteString(paint(ansiBold, "svman:"))
	}
	fmt.Fprintf(b, " %s: %s\n", severity, d.Summary)
	if d.Subject != nil {
		if f, ok := files[d.Subject.Filename]; ok && f != nil {
			writeSnippet(b, f.Bytes, *d.Subject, paint)
		}
	}
	if detail := strings.TrimSpace(d.Detail); detail != "" {
		for _, line := range strings.Split(detail, "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
}

// writeSnippet quotes the subject's first line and underlines the subject on it.
func writeSnippet(b *strings.Builder, src []byte, r hcl.Range, paint func(code, s string) string) {
	lines := bytes.Split(src, []byte("\n"))
	if r.Start.Line < 1 || r.Start.Line > len(lines) {
		return
	}
	line := strings.TrimRight(string(lines[r.Start.Line-1]), "\r")
	num := fmt.Sprint(r.Start.Line)
	gutter := strings.Repeat(" ", len(num))
	fmt.Fprintf(b, " %s | %s\n", num, line)

	// Columns count characters; keep tabs so the carets line up under the text.
	startCol := r.Start.Column - 1
	endCol := utf8.RuneCountInString(line)
	if r.End.Line == r.Start.Line {
		endCol = r.End.Column - 1
	}
	var pad strings.Builder
	for i, c := range []rune(line) {
		if i >= startCol {
			break
		}
		if c == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	width := endCol - startCol
	if width < 1 {
		width = 1
	}
	fmt.Fprintf(b, " %s | %s%s\n", gutter, pad.String(), paint(ansiRed, strings.Repeat("^", width)))
}
