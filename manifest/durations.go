package manifest

import (
	"math"
	"regexp"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// howToWriteDuration ends every duration diagnostic: it says how to fix it.
const howToWriteDuration = `Write a duration such as "10s", "1m30s" or "500ms" (units: ns, us, ms, s, m, h).`

// durationSyntax is time.ParseDuration's syntax: a string that matches it but
// does not parse is too large.
var durationSyntax = regexp.MustCompile(`^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$`)

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
	if err != nil && durationSyntax.MatchString(s) {
		ev.errorf(rng, "Invalid "+name, "%s is too large: a duration can be at most %s (about 292 years).", ev.quote(rng, s), time.Duration(math.MaxInt64))
		return nil
	}
	if err != nil {
		ev.errorf(rng, "Invalid "+name, "%s is not a duration. %s", ev.quote(rng, s), howToWriteDuration)
		return nil
	}
	if d < 0 {
		ev.errorf(rng, "Invalid "+name, "%s cannot be negative (%s). %s", name, ev.quote(rng, s), howToWriteDuration)
		return nil
	}
	return &d
}

// MinAlarmInterval is the shortest alarm window. The window counts exits towards
// max_tries and lets only its first exit raise an alarm; one shorter than a
// second would count next to nothing and alarm on every exit. The legacy
// supervise's was 60 s (it counted 1 to 59 s as 60); svman honours 1 s to 59 s
// as written, and svman import applies the legacy rule to a supervise.conf.
const MinAlarmInterval = time.Second

// alarmInterval evaluates alarm interval: a duration that is 0 (alarms and try
// limits off) or at least MinAlarmInterval.
func (ev *evaluator) alarmInterval(expr hcl.Expression) *time.Duration {
	d := ev.duration("interval", expr)
	if d != nil && *d > 0 && *d < MinAlarmInterval {
		ev.errorf(expr.Range(), "Invalid interval", "The alarm window cannot be shorter than %s: within a window of %s no two exits could count towards max_tries, and every exit would raise an alarm. Write \"%s\" or more (the default is \"%ds\"), or \"0s\" to switch alarms and try limits off.", MinAlarmInterval, ev.show(expr.Range(), d.String()), MinAlarmInterval, defaultAlarmInterval/time.Second)
		return nil
	}
	return d
}

// positiveDuration evaluates a duration that must be longer than zero, such as
// a probe's interval or timeout.
func (ev *evaluator) positiveDuration(name string, expr hcl.Expression) *time.Duration {
	d := ev.duration(name, expr)
	if d != nil && *d == 0 {
		ev.errorf(expr.Range(), "Invalid "+name, "%s must be longer than zero. %s Leave it out for the default.", name, howToWriteDuration)
		return nil
	}
	return d
}
