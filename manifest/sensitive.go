package manifest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// sensitiveMark is the type of sensitive.
type sensitiveMark string

// sensitive marks every value file() and env() return, and so (cty carries marks
// through functions and templates) every value made from one: it may be a
// secret (a password, /etc/shadow), so no diagnostic shows it. The evaluator
// removes the mark as it reads a value (eval), remembering where the value was
// written; Module and Manifest hold plain values.
const sensitive = sensitiveMark("sensitive")

// sensitiveValue is where a sensitive value was written, and its text as a
// message could show it, for the check in errorf.
type sensitiveValue struct {
	rng   hcl.Range
	texts []string
}

// noteSensitive remembers that expr's value v, just unmarked, was sensitive.
func (ev *evaluator) noteSensitive(expr hcl.Expression, v cty.Value) {
	sv := sensitiveValue{rng: expr.Range()}
	_ = cty.Walk(v, func(p cty.Path, e cty.Value) (bool, error) {
		if len(p) > 0 { // a map's or an object's keys are the value too
			switch step := p[len(p)-1].(type) {
			case cty.GetAttrStep:
				sv.texts = append(sv.texts, step.Name)
			case cty.IndexStep:
				if step.Key.Type() == cty.String {
					sv.texts = append(sv.texts, step.Key.AsString())
				}
			}
		}
		if e.IsNull() || !e.IsKnown() {
			return false, nil
		}
		switch e.Type() {
		case cty.String:
			sv.texts = append(sv.texts, e.AsString())
		case cty.Number:
			sv.texts = append(sv.texts, e.AsBigFloat().Text('g', 10))
		}
		return true, nil
	})
	ev.secrets = append(ev.secrets, sv)
}

// isSensitive says whether rng overlaps an expression whose value is sensitive:
// a diagnostic there must not show that value.
func (ev *evaluator) isSensitive(rng hcl.Range) bool {
	for _, s := range ev.secrets {
		if overlaps(s.rng, rng) {
			return true
		}
	}
	return false
}

// overlaps reports whether a and b share a byte of the same file.
func overlaps(a, b hcl.Range) bool {
	return a.Filename == b.Filename && a.Start.Byte < b.End.Byte && b.Start.Byte < a.End.Byte
}

// show returns text, a value of the expression at rng as a message shows it,
// unless that value is sensitive: then the expression's source text, such as
// file("/etc/shadow").
func (ev *evaluator) show(rng hcl.Range, text string) string {
	if ev.isSensitive(rng) {
		return ev.sourceText(rng)
	}
	return text
}

// quote is show for a string, quoted as %q would.
func (ev *evaluator) quote(rng hcl.Range, s string) string {
	return ev.show(rng, strconv.Quote(s))
}

// sourceText is the text of the manifest at rng, as its author wrote it.
func (ev *evaluator) sourceText(rng hcl.Range) string {
	if rng.Filename != ev.filename || rng.Start.Byte < 0 || rng.End.Byte > len(ev.src) || rng.Start.Byte > rng.End.Byte {
		return "(sensitive value)"
	}
	return string(rng.SliceBytes(ev.src))
}

// leaks says whether msg holds the text of a sensitive value written at an
// expression overlapping rng, as is or quoted: the last line of defence, for a
// message that quotes a value without show. Texts shorter than minLeak are not
// looked for: the words of any message hold them ("vm" is in "svman"), and
// they are too short to be much of a secret.
func (ev *evaluator) leaks(rng hcl.Range, msg string) bool {
	for _, s := range ev.secrets {
		if !overlaps(s.rng, rng) {
			continue
		}
		for _, t := range s.texts {
			t = strings.TrimSpace(t)
			if len(t) < minLeak {
				continue
			}
			q := strconv.Quote(t)
			if strings.Contains(msg, t) || strings.Contains(msg, q[1:len(q)-1]) {
				return true
			}
		}
	}
	return false
}

// minLeak is the length of the shortest text leaks looks for.
const minLeak = 6

// redacted is the detail of a diagnostic at rng whose own would show a
// sensitive value.
func (ev *evaluator) redacted(rng hcl.Range) string {
	return ev.sourceText(rng) + " is not valid here. Its value is not shown: it was read with file() or env(), and may be a secret."
}

// because is " (why)", why a value at rng is refused, for a message; nothing
// when that value is sensitive, since a parser's reason may quote part of it.
func (ev *evaluator) because(rng hcl.Range, why string) string {
	if ev.isSensitive(rng) {
		return ""
	}
	return " (" + why + ")"
}

// hideCallErrors rewrites what diags, from evaluating expr, say of a failed call
// to a function other than env and file when expr calls env or file: cty
// functions are given plain values, and their reasons may quote them
// (jsondecode: "invalid character 'o' in literal true"). file itself keeps
// its reasons, which name only a path that is not sensitive.
func hideCallErrors(expr hcl.Expression, diags hcl.Diagnostics) {
	if !callsSensitive(expr) {
		return
	}
	for _, d := range diags {
		x, ok := hcl.DiagnosticExtra[hclsyntax.FunctionCallDiagExtra](d)
		if !ok || x.FunctionCallError() == nil {
			continue
		}
		if name := x.CalledFunctionName(); name != "env" && name != "file" {
			d.Detail = fmt.Sprintf("Call to function %q failed. Why is not shown: its arguments may hold what file() or env() read, which may be a secret.", name)
		}
	}
}

// callsSensitive says whether expr calls env or file anywhere.
func callsSensitive(expr hcl.Expression) bool {
	sx, ok := expr.(hclsyntax.Expression)
	if !ok {
		return false
	}
	found := false
	hclsyntax.VisitAll(sx, func(n hclsyntax.Node) hcl.Diagnostics {
		if c, ok := n.(*hclsyntax.FunctionCallExpr); ok && (c.Name == "env" || c.Name == "file") {
			found = true
		}
		return nil
	})
	return found
}
