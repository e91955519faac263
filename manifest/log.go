package manifest

import (
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// minLogSize is the smallest max_size, 1 KB: below it, the log files would rotate at
// almost every line.
const minLogSize = 1000

// maxLogKeep is the largest keep, as for the other counts of the manifest.
const maxLogKeep = 1<<31 - 1

const (
	howToWriteLogSize = `Write a size such as "50MB", "512KiB" or "1GB", or a whole number of bytes such as 1048576. k, M, G, T and KiB, MiB, GiB, TiB count in 1024s, KB, MB, GB, TB in 1000s (units are case-insensitive).`
	howToWriteKeep    = `Write how many rotated files of each of __stdout and __stderr to keep, such as 10, or 0 to delete a file as soon as it is rotated.`
)

// log evaluates a log block.
func (ev *evaluator) log(raw *rawLog) logSettings {
	return logSettings{
		timestamps: ev.boolean("timestamps", raw.Timestamps),
		maxSize:    ev.logMaxSize(raw.MaxSize),
		keep:       ev.logKeep(raw.Keep),
		mode:       ev.logMode(raw.Mode),
		format:     ev.logFormat(raw.Format),
		parse:      ev.logParse(raw.Parse),
	}
}

// logFormat evaluates log format: "text" or "json".
func (ev *evaluator) logFormat(expr hcl.Expression) *LogFormat {
	s := ev.str("format", expr)
	if s == nil || !ev.oneOf(expr.Range(), *s, "log format", "a log format", logFormats[:]) {
		return nil
	}
	f := LogFormat(slices.Index(logFormats[:], *s))
	return &f
}

// logParse evaluates log parse: "none" or "json".
func (ev *evaluator) logParse(expr hcl.Expression) *LogParse {
	s := ev.str("parse", expr)
	if s == nil || !ev.oneOf(expr.Range(), *s, "log parse", "a value of parse", logParses[:]) {
		return nil
	}
	p := LogParse(slices.Index(logParses[:], *s))
	return &p
}

// logModes are the modes log mode may take: the files are never writable or
// executable by anyone but svman's user.
// "0600" is the default, 0.
var logModes = map[string]uint32{"0600": 0, "600": 0, "0640": 0o640, "640": 0o640, "0644": 0o644, "644": 0o644}

const howToWriteLogMode = `Write "0600" (only svman's user reads the logs, the default), "0640" (the status directory's group reads them too) or "0644" (everyone does), in quotes.`

// logMode evaluates log mode: one of logModes, as a string.
func (ev *evaluator) logMode(expr hcl.Expression) *uint32 {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	rng := expr.Range()
	if v.Type() != cty.String {
		ev.errorf(rng, "Invalid log mode", "mode must be a string, not %s: HCL reads 0640 as six hundred and forty, not as octal. %s", describe(v), howToWriteLogMode)
		return nil
	}
	m, ok := logModes[strings.TrimSpace(v.AsString())]
	if !ok {
		ev.errorf(rng, "Invalid log mode", "mode = %q is not allowed: the logs may be read by the group or everyone, but never written or executed by anyone but svman's user. %s", v.AsString(), howToWriteLogMode)
		return nil
	}
	return &m
}

// logMaxSize evaluates log max_size: a size as limits' core and memlock take (see
// parseLimit), but neither "unlimited" nor less than minLogSize.
func (ev *evaluator) logMaxSize(expr hcl.Expression) *int64 {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	rng := expr.Range()
	var n uint64
	var bad *badLimit
	var text string
	switch v.Type() {
	case cty.Number:
		n, bad = limitNumber(v.AsBigFloat())
		text = v.AsBigFloat().Text('g', 20)
	case cty.String:
		n, bad = parseLimit(v.AsString(), true)
		text = strconv.Quote(v.AsString())
	default:
		ev.errorf(rng, "Invalid max_size", "max_size must be a number or a string, not %s. %s", describe(v), howToWriteLogSize)
		return nil
	}
	text = ev.show(rng, text)
	if bad != nil {
		bad.text = ev.show(rng, bad.text)
	}
	switch {
	case bad == nil && n == Unlimited:
		ev.errorf(rng, "Invalid max_size",
			"max_size cannot be %s: log files are always rotated, so that a chatty module cannot fill the disk. For files rotated rarely, give a large size such as \"10GB\".", text)
	case bad == nil && n < minLogSize:
		ev.errorf(rng, "Invalid max_size",
			"max_size = %s is less than 1 KB (1000 bytes): the log files would be rotated at almost every line. Give a size such as \"50MB\" (the default) or \"1MiB\".", text)
	case bad == nil:
		r := int64(n) // n <= maxLimit, which is math.MaxInt64
		return &r
	case bad.kind == limitNegative:
		ev.errorf(rng, "Invalid max_size", "max_size cannot be negative (%s). %s", bad.text, howToWriteLogSize)
	case bad.kind == limitTooLarge:
		ev.errorf(rng, "Invalid max_size", "max_size = %s is more than the largest size, %d bytes. %s", bad.text, uint64(maxLimit), howToWriteLogSize)
	default:
		ev.errorf(rng, "Invalid max_size", "%s is not a size. %s", bad.text, howToWriteLogSize)
	}
	return nil
}

// logKeep evaluates log keep: a whole number from 0 to maxLogKeep.
func (ev *evaluator) logKeep(expr hcl.Expression) *int {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	rng := expr.Range()
	n, err := convert.Convert(v, cty.Number)
	if err != nil || n.IsNull() {
		ev.errorf(rng, "Invalid keep", "keep must be a whole number, not %s. %s", describe(v), howToWriteKeep)
		return nil
	}
	bf := n.AsBigFloat()
	i, acc := bf.Int64()
	switch {
	case bf.Sign() < 0:
		ev.errorf(rng, "Invalid keep", "keep cannot be negative (%s). %s", ev.show(rng, bf.Text('g', 10)), howToWriteKeep)
	case !bf.IsInt():
		ev.errorf(rng, "Invalid keep", "%s is not a whole number. %s", ev.show(rng, bf.Text('g', 10)), howToWriteKeep)
	case acc != big.Exact || i > maxLogKeep:
		ev.errorf(rng, "Invalid keep", "keep = %s is more than %d. %s", ev.show(rng, bf.Text('g', 10)), maxLogKeep, howToWriteKeep)
	default:
		r := int(i)
		return &r
	}
	return nil
}
