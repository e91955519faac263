package manifest

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// evaluator evaluates attribute expressions into Go values, collecting every
// diagnostic instead of stopping at the first. Each helper returns nil (or
// ok=false) when the attribute is unset (missing or null) or invalid; the two are
// told apart by the diagnostics, which the caller checks once at the end.
//
// Diagnostics point at the value (the expression's range), or at one element of
// a list or map written literally, because that is what has to be edited.
//
// A value read with file() or env() is never shown in a diagnostic: a message
// that quotes a value quotes it through show or quote, which give the
// expression's source text instead, and errorf replaces a message that would
// still show one (see sensitive).
type evaluator struct {
	ctx   *hcl.EvalContext
	diags hcl.Diagnostics

	filename string           // the manifest's name in ranges, whose text is src
	src      []byte           // for the source text of an expression
	secrets  []sensitiveValue // where sensitive values were written

	envFileSet envFileSet // the env files read (envfile.go)
}

// errorf records an error diagnostic at rng. When rng is where a sensitive
// value was written and the message would show that value, the message says
// so instead, with the expression's source text.
func (ev *evaluator) errorf(rng hcl.Range, summary, format string, args ...any) {
	detail := fmt.Sprintf(format, args...)
	if ev.isSensitive(rng) && ev.leaks(rng, summary+"\n"+detail) {
		if ev.leaks(rng, summary) {
			summary = "Invalid value"
		}
		detail = ev.redacted(rng)
	}
	ev.diags = append(ev.diags, diagErr(rng, summary, detail))
}

// eval evaluates expr. ok is false when the attribute is unset or evaluation
// failed; a failure has already been recorded.
func (ev *evaluator) eval(expr hcl.Expression) (v cty.Value, ok bool) {
	if expr == nil { // a block gohcl did not decode: nothing is set
		return cty.NilVal, false
	}
	v, diags := expr.Value(ev.ctx)
	hideCallErrors(expr, diags)
	ev.diags = append(ev.diags, diags...)
	// Marked values cannot be read; unmarked, they are plain Go values from
	// here on, and only ev.secrets remembers which were sensitive.
	v, marks := v.UnmarkDeep()
	if marks.Has(sensitive) {
		ev.noteSensitive(expr, v)
	}
	if diags.HasErrors() || v.IsNull() {
		return cty.NilVal, false
	}
	// There are no variables, so nothing should be unknown; but cty panics on
	// reading an unknown value, so make sure rather than trust that.
	if !v.IsWhollyKnown() {
		ev.errorf(expr.Range(), "Value not known", "This value cannot be worked out when the manifest is loaded.")
		return cty.NilVal, false
	}
	return v, true
}

// str evaluates a string attribute. Numbers and bools are accepted and written
// as strings, as everywhere in HCL.
func (ev *evaluator) str(name string, expr hcl.Expression) *string {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	s, ok := ev.toString(v, expr.Range(), name)
	if !ok {
		return nil
	}
	return &s
}

// boolean evaluates a bool attribute (true or false; also the strings "true"
// and "false", as HCL converts them).
func (ev *evaluator) boolean(name string, expr hcl.Expression) *bool {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	b, err := convert.Convert(v, cty.Bool)
	if err != nil || b.IsNull() {
		ev.errorf(expr.Range(), "Invalid "+name, "%s must be true or false, not %s.", name, describe(v))
		return nil
	}
	r := b.True()
	return &r
}

// count evaluates a whole number >= 0, such as max_tries.
func (ev *evaluator) count(name string, expr hcl.Expression) *int {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	n, err := convert.Convert(v, cty.Number)
	if err != nil || n.IsNull() {
		ev.errorf(expr.Range(), "Invalid "+name, "%s must be a whole number such as 5 (0 means no limit), not %s.", name, describe(v))
		return nil
	}
	bf := n.AsBigFloat()
	i, acc := bf.Int64()
	if !bf.IsInt() || acc != big.Exact || i < 0 || i > 1<<31-1 {
		ev.errorf(expr.Range(), "Invalid "+name, "%s must be a whole number from 0 (no limit) to 2147483647; %s is not.", name, ev.show(expr.Range(), bf.Text('g', 10)))
		return nil
	}
	r := int(i)
	return &r
}

// intIn evaluates a whole number from lo to hi; why, which ends the message
// about a number out of range, says what the bounds are for.
func (ev *evaluator) intIn(name string, expr hcl.Expression, lo, hi int64, why string) *int {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	n, err := convert.Convert(v, cty.Number)
	if err != nil || n.IsNull() {
		ev.errorf(expr.Range(), "Invalid "+name, "%s must be a whole number from %d to %d, not %s.", name, lo, hi, describe(v))
		return nil
	}
	bf := n.AsBigFloat()
	i, acc := bf.Int64()
	if !bf.IsInt() || acc != big.Exact || i < lo || i > hi {
		ev.errorf(expr.Range(), "Invalid "+name, "%s must be a whole number from %d to %d; %s is not. %s", name, lo, hi, ev.show(expr.Range(), bf.Text('g', 10)), why)
		return nil
	}
	r := int(i)
	return &r
}

// strList evaluates a list of strings. An empty list is returned as a non-nil
// empty slice: "set to nothing" differs from unset when merging with defaults.
func (ev *evaluator) strList(name string, expr hcl.Expression) *[]string {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	if l, ok := ev.listOfStrings(v, expr, name); ok {
		return &l
	}
	return nil
}

// listOfStrings converts an already evaluated list (or tuple or set) of strings.
func (ev *evaluator) listOfStrings(v cty.Value, expr hcl.Expression, name string) ([]string, bool) {
	t := v.Type()
	if !t.IsListType() && !t.IsTupleType() && !t.IsSetType() {
		ev.errorf(expr.Range(), "Invalid "+name, "%s must be a list of strings such as [\"a\", \"b\"], not %s.", name, describe(v))
		return nil, false
	}
	out := make([]string, 0, v.LengthInt())
	good := true
	for i, e := range v.AsValueSlice() {
		s, ok := ev.toString(e, elemRange(expr, i), fmt.Sprintf("%s element %d", name, i))
		good = good && ok
		out = append(out, s)
	}
	return out, good
}

// strMap evaluates a map of strings, such as env. An empty map is returned as a
// non-nil empty map, like strList. When some values are invalid, ok is false but
// the map still holds every key (with "" for the bad values) so that the caller
// can check the keys too.
func (ev *evaluator) strMap(name string, expr hcl.Expression) (m map[string]string, ok bool) {
	v, ok := ev.eval(expr)
	if !ok {
		return nil, false
	}
	t := v.Type()
	if !t.IsMapType() && !t.IsObjectType() {
		ev.errorf(expr.Range(), "Invalid "+name, "%s must be a map of strings such as { KEY = \"value\" }, not %s.", name, describe(v))
		return nil, false
	}
	out := make(map[string]string, v.LengthInt())
	good := true
	for k, e := range v.AsValueMap() {
		s, ok := ev.toString(e, ev.mapElemRange(expr, k, false), fmt.Sprintf("%s[%q]", name, k))
		good = good && ok
		out[k] = s
	}
	return out, good
}

// toString converts one scalar to a string. what names it in the message.
// Strings holding NUL are refused: every string of a manifest ends up in an argv,
// the environment, a path or an address, none of which can carry one.
func (ev *evaluator) toString(v cty.Value, rng hcl.Range, what string) (string, bool) {
	if v.IsNull() {
		ev.errorf(rng, "Invalid "+what, "%s must be a string, not null.", what)
		return "", false
	}
	if !v.Type().IsPrimitiveType() {
		ev.errorf(rng, "Invalid "+what, "%s must be a string, not %s.", what, describe(v))
		return "", false
	}
	sv, err := convert.Convert(v, cty.String)
	if err != nil {
		ev.errorf(rng, "Invalid "+what, "%s must be a string: %s.", what, err)
		return "", false
	}
	s := sv.AsString()
	if strings.ContainsRune(s, 0) {
		ev.errorf(rng, "Invalid "+what, "%s contains a NUL character, which no program argument, environment variable, path or address can hold.", what)
		return "", false
	}
	return s, true
}

// describe names the kind of v for messages: "a number", "a list", ...
func describe(v cty.Value) string {
	t := v.Type()
	switch {
	case v.IsNull():
		return "null"
	case t == cty.String:
		return "a string"
	case t == cty.Number:
		return "a number"
	case t == cty.Bool:
		return "a bool"
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		return "a list"
	case t.IsMapType() || t.IsObjectType():
		return "a map"
	default:
		return t.FriendlyName()
	}
}

// elemRange is the range of element i of a list written literally as [a, b, c],
// or the whole expression's range when the list was computed (concat(...), ...).
func elemRange(expr hcl.Expression, i int) hcl.Range {
	if t, ok := expr.(*hclsyntax.TupleConsExpr); ok && i < len(t.Exprs) {
		return t.Exprs[i].Range()
	}
	return expr.Range()
}

// mapElemRange is the range of the value for key (or of the key itself, when
// ofKey) in a map written literally as { k = v }, or the whole expression's
// range when the map was computed.
func (ev *evaluator) mapElemRange(expr hcl.Expression, key string, ofKey bool) hcl.Range {
	if o, ok := expr.(*hclsyntax.ObjectConsExpr); ok {
		for _, item := range o.Items {
			k, diags := item.KeyExpr.Value(ev.ctx)
			k, _ = k.UnmarkDeep() // env("X") = ...: a key may be marked
			if diags.HasErrors() || !k.IsKnown() || k.IsNull() || k.Type() != cty.String || k.AsString() != key {
				continue
			}
			if ofKey {
				return item.KeyExpr.Range()
			}
			return item.ValueExpr.Range()
		}
	}
	return expr.Range()
}
