package manifest

import (
	"fmt"
	"math/big"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// restart evaluates a restart block. max_delay is checked against delay later,
// once merged with the defaults (see checkBackoff).
func (ev *evaluator) restart(r *rawRestart) restartSettings {
	before := len(ev.diags)
	delay := ev.duration("delay", r.Delay)
	return restartSettings{
		policy:      ev.policy(r.Policy),
		delay:       delay,
		delayBad:    delay == nil && len(ev.diags) > before,
		maxDelay:    ev.duration("max_delay", r.MaxDelay),
		stableAfter: ev.duration("stable_after", r.StableAfter),
		exitCodes:   ev.exitCodes(r.ExitCodes),
		delayAt:     rangeOf(r.Delay),
		maxDelayAt:  rangeOf(r.MaxDelay),
	}
}

// rangeOf is expr's range, or none for a block gohcl did not decode.
func rangeOf(expr hcl.Expression) hcl.Range {
	if expr == nil {
		return hcl.Range{}
	}
	return expr.Range()
}

// mergeRestart is merge for restart blocks: field by field, mod winning.
func mergeRestart(def, mod restartSettings) restartSettings {
	r := restartSettings{
		policy:      pick(mod.policy, def.policy),
		delay:       pick(mod.delay, def.delay),
		maxDelay:    pick(mod.maxDelay, def.maxDelay),
		stableAfter: pick(mod.stableAfter, def.stableAfter),
		exitCodes:   pick(mod.exitCodes, def.exitCodes),
		delayBad:    def.delayBad,
		delayAt:     def.delayAt,
		maxDelayAt:  def.maxDelayAt,
	}
	if mod.delay != nil || mod.delayBad {
		r.delayAt, r.delayBad = mod.delayAt, mod.delayBad
	}
	if mod.maxDelay != nil {
		r.maxDelayAt = mod.maxDelayAt
	}
	return r
}

// value applies the built-in defaults. An unset max_delay is 1m, or delay
// when that is longer, so that a long delay alone is not an error.
func (r restartSettings) value() Restart {
	delay := valueOr(r.delay, defaultRestartDelay)
	return Restart{
		Policy:      valueOr(r.policy, defaultRestartPolicy),
		Delay:       delay,
		MaxDelay:    valueOr(r.maxDelay, max(defaultMaxDelay, delay)),
		StableAfter: valueOr(r.stableAfter, defaultStableAfter),
		ExitCodes:   slices.Clone(valueOr(r.exitCodes, defaultExitCodes())),
	}
}

// checkBackoff reports a max_delay shorter than the delay it caps. It runs on
// merged settings, since the defaults' max_delay may meet a module's delay, and
// on the defaults block alone; a conflict inherited by several modules is
// reported once, at max_delay.
func (ev *evaluator) checkBackoff(r restartSettings) {
	delay := valueOr(r.delay, defaultRestartDelay)
	if r.maxDelay == nil || r.delayBad || *r.maxDelay >= delay {
		return
	}
	from, delayText := "the default", delay.String()
	if r.delay != nil {
		from = "set at " + lineOf(r.delayAt)
		delayText = ev.show(r.delayAt, delayText)
	}
	d := diagErr(r.maxDelayAt, "Invalid max_delay", fmt.Sprintf(
		"max_delay (%s) is shorter than delay (%s, %s). Restarts back off from delay, doubling up to max_delay, so max_delay must be at least delay: raise max_delay or lower delay.",
		ev.show(r.maxDelayAt, r.maxDelay.String()), delayText, from))
	for _, e := range ev.diags {
		if e.Subject != nil && *e.Subject == *d.Subject && e.Detail == d.Detail {
			return
		}
	}
	ev.diags = append(ev.diags, d)
}

const howToWriteExitCodes = `Write the exit codes that mean success as a list, such as [0] or [0, 2].`

// exitCodes evaluates restart exit_codes: a non-empty list of exit codes, 0 to
// 255. The result is sorted and without duplicates, so that two lists with the
// same meaning are deeply equal.
func (ev *evaluator) exitCodes(expr hcl.Expression) *[]int {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	t := v.Type()
	if !t.IsListType() && !t.IsTupleType() && !t.IsSetType() {
		ev.errorf(expr.Range(), "Invalid exit_codes", "exit_codes must be a list of numbers, not %s. %s", describe(v), howToWriteExitCodes)
		return nil
	}
	if v.LengthInt() == 0 {
		ev.errorf(expr.Range(), "Empty exit_codes",
			"exit_codes = [] would count no exit as a success. %s To restart the module whatever its exit code, use policy = \"always\".", howToWriteExitCodes)
		return nil
	}
	codes := make([]int, 0, v.LengthInt())
	good := true
	for i, e := range v.AsValueSlice() {
		c, ok := ev.exitCode(e, elemRange(expr, i))
		good = good && ok
		codes = append(codes, c)
	}
	if !good {
		return nil
	}
	slices.Sort(codes)
	codes = slices.Compact(codes)
	return &codes
}

// exitCode converts one element of exit_codes.
func (ev *evaluator) exitCode(v cty.Value, rng hcl.Range) (int, bool) {
	n, err := convert.Convert(v, cty.Number)
	if v.IsNull() || err != nil || n.IsNull() {
		ev.errorf(rng, "Invalid exit code", "exit_codes holds exit codes, whole numbers from 0 to 255, not %s. %s", describe(v), howToWriteExitCodes)
		return 0, false
	}
	bf := n.AsBigFloat()
	i, acc := bf.Int64()
	if !bf.IsInt() || acc != big.Exact || i < 0 || i > 255 {
		ev.errorf(rng, "Invalid exit code", "Exit codes are whole numbers from 0 to 255; %s is not. %s", ev.show(rng, bf.Text('g', 10)), howToWriteExitCodes)
		return 0, false
	}
	return int(i), true
}
