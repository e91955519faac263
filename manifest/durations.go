package manifest

import (
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// howToWriteDuration ends every duration diagnostic: it says how to fix it.
const howToWriteDuration = `Write a duration such as "10s", "1m30s" or "500ms" (units: ns, us, ms, s, m, h).`

// duration evaluates a duration attribute: a string in time.ParseDuration's
// syntax, at least zero. A bare number is refused rather than guessed at, since
// 10 could mean seconds or milliseconds depending on who wrote it.
func (ev *evaluator) duration(name string, expr hcl.Expression) *time.Duration {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	rng := expr.Range()
	if v.Type() != cty.String {
		ev.errorf(rng, "Invalid "+name, "%s must be a duration string, not %s. %s", name, describe(v), howToWriteDuration)
		return nil
	}
	s := v.AsString()
	d, err := time.ParseDuration(s)
	if err != nil {
		ev.errorf(rng, "Invalid "+name, "%q is not a duration. %s", s, howToWriteDuration)
		return nil
	}
	if d < 0 {
		ev.errorf(rng, "Invalid "+name, "%s cannot be negative (%q). %s", name, s, howToWriteDuration)
		return nil
	}
	return &d
}
