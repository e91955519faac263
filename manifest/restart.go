package manifest

import (
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// restart evaluates a restart block. max_delay is checked against delay, and
// each duration against RestartFloor, later, once merged with the defaults (see
// checkBackoff).
func (ev *evaluator) restart(r *rawRestart) restartSettings {
	before := len(ev.diags)
	delay := ev.duration("delay", r.Delay)
	delayBad := delay == nil && len(ev.diags) > before
	minUptime, minUptimeAt := ev.minUptime(r)
	return restartSettings{
		policy:      ev.policy(r.Policy),
		delay:       delay,
		delayBad:    delayBad,
		maxDelay:    ev.duration("max_delay", r.MaxDelay),
		minUptime:   minUptime,
		exitCodes:   ev.exitCodes(r.ExitCodes),
		delayAt:     rangeOf(r.Delay),
		maxDelayAt:  rangeOf(r.MaxDelay),
		minUptimeAt: minUptimeAt,
	}
}

// minUptime evaluates min_uptime, or stable_after, the name it had when it
// reset a backoff that every shorter run doubled: the meaning is the same (a run
// shorter than it is a crash), so the old name is accepted, with a warning that
// asks for the new one. Both at once is an error.
func (ev *evaluator) minUptime(r *rawRestart) (*time.Duration, hcl.Range) {
	d := ev.duration("min_uptime", r.MinUptime)
	old := ev.duration("stable_after", r.StableAfter)
	switch {
	case old == nil:
		return d, rangeOf(r.MinUptime)
	case d != nil:
		ev.errorf(rangeOf(r.StableAfter), "Both min_uptime and stable_after",
			"stable_after is the former name of min_uptime, and this block sets both. Remove stable_after.")
		return d, rangeOf(r.MinUptime)
	}
	ev.diags = append(ev.diags, &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  "stable_after is now min_uptime",
		Detail: fmt.Sprintf("stable_after is the former name of min_uptime, and still means the same: a run shorter than %s is a crash, and a crash loop backs off. Rename it to min_uptime.",
			*old),
		Subject: rangeOf(r.StableAfter).Ptr(),
	})
	return old, rangeOf(r.StableAfter)
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
		minUptime:   pick(mod.minUptime, def.minUptime),
		exitCodes:   pick(mod.exitCodes, def.exitCodes),
		delayBad:    def.delayBad,
		delayAt:     def.delayAt,
		maxDelayAt:  def.maxDelayAt,
		minUptimeAt: def.minUptimeAt,
	}
	if mod.delay != nil || mod.delayBad {
		r.delayAt, r.delayBad = mod.delayAt, mod.delayBad
	}
	if mod.maxDelay != nil {
		r.maxDelayAt = mod.maxDelayAt
	}
	if mod.minUptime != nil {
		r.minUptimeAt = mod.minUptimeAt
	}
	return r
}

// value applies the built-in defaults. An unset max_delay is 1m, or delay
// when that is longer, so that a long delay alone is not an error. Values below
// RestartFloor are kept as written: the engine raises them (see Restart).
func (r restartSettings) value() Restart {
	delay := valueOr(r.delay, defaultRestartDelay)
	return Restart{
		Policy:    valueOr(r.policy, defaultRestartPolicy),
		Delay:     delay,
		MaxDelay:  valueOr(r.maxDelay, max(defaultMaxDelay, delay)),
		MinUptime: valueOr(r.minUptime, defaultMinUptime),
		ExitCodes: slices.Clone(valueOr(r.exitCodes, defaultExitCodes())),
	}
}

// checkBackoff reports a max_delay shorter than the delay it caps, and warns of
// a delay, max_delay or min_uptime below RestartFloor. It runs on merged
// settings, since the defaults' max_delay may meet a module's delay, and on the
// defaults block alone; a diagnostic inherited by several modules is reported
// once.
func (ev *evaluator) checkBackoff(r restartSettings) {
	delay := valueOr(r.delay, defaultRestartDelay)
	if r.maxDelay != nil && !r.delayBad && *r.maxDelay < delay {
		from, delayText := "the default", delay.String()
		if r.delay != nil {
			from = "set at " + lineOf(r.delayAt)
			delayText = ev.show(r.delayAt, delayText)
		}
		ev.addOnce(diagErr(r.maxDelayAt, "Invalid max_delay", fmt.Sprintf(
			"max_delay (%s) is shorter than delay (%s, %s). Restarts back off from delay, doubling up to max_delay, so max_delay must be at least delay: raise max_delay or lower delay.",
			ev.show(r.maxDelayAt, r.maxDelay.String()), delayText, from)))
		r.maxDelay = nil // its error says enough: no warning about the floor too
	}
	ev.checkFloor(r)
}

// checkFloor warns of each duration written below RestartFloor, saying what
// svman does instead: a crash loop still waits, so it never spins. The text does
// not depend on the other settings, so that a value inherited from the defaults
// is reported once, however many modules inherit it.
func (ev *evaluator) checkFloor(r restartSettings) {
	f := RestartFloor
	waits := fmt.Sprintf("a crash loop (consecutive runs shorter than min_uptime) waits %s, then %s, %s, ... up to max_delay between starts", f, 2*f, 4*f)
	warn := func(name string, d *time.Duration, at hcl.Range) {
		if d == nil || *d >= f {
			return
		}
		ev.addOnce(&hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  name + " below the restart floor",
			Detail: fmt.Sprintf("%s = %s counts as %s: svman never starts a module twice within %s (its restart floor), so %s, and never spins.",
				name, ev.quote(at, d.String()), f, f, waits),
			Subject: at.Ptr(),
		})
	}
	warn("delay", r.delay, r.delayAt)
	warn("max_delay", r.maxDelay, r.maxDelayAt)
	warn("min_uptime", r.minUptime, r.minUptimeAt)
}

// addOnce appends d unless the same diagnostic, at the same place, is there
// already: settings inherited from the defaults are checked once per module.
func (ev *evaluator) addOnce(d *hcl.Diagnostic) {
	for _, e := range ev.diags {
		if e.Subject != nil && d.Subject != nil && *e.Subject == *d.Subject && e.Detail == d.Detail {
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
