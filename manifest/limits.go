package manifest

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// maxLimit is the largest limit written as a number: anything larger is surely a
// mistake, and keeping below Unlimited means a number never reads as "unlimited".
const maxLimit = math.MaxInt64

const (
	howToWriteSize  = `Write a whole number of bytes such as 1048576, or of a unit such as "64k", "1536MiB" or "1GB", or "unlimited". k, M, G, T and KiB, MiB, GiB, TiB count in 1024s, KB, MB, GB, TB in 1000s (units are case-insensitive).`
	howToWriteCount = `Write a whole number such as 4096, or "unlimited".`
)

// sizeUnits are the units a size may end with, lower-cased. The bare letters
// count in 1024s like ulimit's; KB, MB, ... are SI (1000s) and KiB, MiB, ... IEC
// (1024s), as their standards say.
var sizeUnits = map[string]uint64{
	"b": 1,
	"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
	"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
	"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
	"t": 1 << 40, "tib": 1 << 40, "tb": 1e12,
}

// limits evaluates a limits block. core and memlock are sizes in bytes; nofile
// and nproc are counts.
func (ev *evaluator) limits(raw *rawLimits) Limits {
	l := Limits{
		Core:    ev.limit("core", raw.Core, true),
		NoFile:  ev.limit("nofile", raw.NoFile, false),
		NProc:   ev.limit("nproc", raw.NProc, false),
		MemLock: ev.limit("memlock", raw.MemLock, true),
	}
	if l.NoFile != nil && *l.NoFile == 0 {
		ev.errorf(raw.NoFile.Range(), "Invalid nofile",
			"nofile = 0 would let the program open no file at all, not even the shared libraries it needs to start, so it could never run. Give a number such as 1024 or 65536, or leave nofile out to keep svman's own limit.")
		l.NoFile = nil
	}
	return l
}

// limit evaluates one resource limit: "unlimited", a whole number, or (when
// size) a string such as "512MiB".
func (ev *evaluator) limit(name string, expr hcl.Expression, size bool) *uint64 {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	rng := expr.Range()
	how := howToWriteCount
	if size {
		how = howToWriteSize
	}
	var n uint64
	var bad *badLimit
	switch v.Type() {
	case cty.Number:
		n, bad = limitNumber(v.AsBigFloat())
	case cty.String:
		n, bad = parseLimit(v.AsString(), size)
		if bad != nil && bad.kind == limitSyntax && Suggest(strings.TrimSpace(v.AsString()), []string{"unlimited"}) != "" && !ev.isSensitive(rng) {
			how = `Did you mean "unlimited"?`
		}
	default:
		ev.errorf(rng, "Invalid "+name, "%s must be a number or a string, not %s. %s", name, describe(v), how)
		return nil
	}
	if bad == nil {
		return &n
	}
	if bad.kind == limitUnit {
		bad.text = strconv.Quote(bad.text)
	}
	bad.text = ev.show(rng, bad.text)
	switch {
	case bad.kind == limitNegative:
		ev.errorf(rng, "Invalid "+name, "%s cannot be negative (%s): for no limit, write \"unlimited\".", name, bad.text)
	case bad.kind == limitTooLarge:
		ev.errorf(rng, "Invalid "+name, "%s = %s is more than the largest limit, %d; for no limit, write \"unlimited\".", name, bad.text, uint64(maxLimit))
	case bad.kind == limitUnit:
		ev.errorf(rng, "Invalid "+name, "%s is a number of %s, not a size, so it takes no unit (%s). %s", name, countOf(name), bad.text, how)
	case size:
		ev.errorf(rng, "Invalid "+name, "%s is not a size. %s", bad.text, how)
	default:
		ev.errorf(rng, "Invalid "+name, "%s is not a whole number. %s", bad.text, how)
	}
	return nil
}

// countOf says what a count limit counts, for messages.
func countOf(name string) string {
	if name == "nofile" {
		return "open files"
	}
	return "processes"
}

// limitProblem is why a limit does not parse.
type limitProblem int

const (
	limitSyntax   limitProblem = iota // not a whole number, or an unknown unit
	limitNegative                     // below zero
	limitTooLarge                     // above maxLimit
	limitUnit                         // a unit on a count
)

// badLimit is a limit that does not parse: text is the value as it is best
// quoted in a message (the unit alone for limitUnit).
type badLimit struct {
	kind limitProblem
	text string
}

// limitNumber converts a limit written as a number.
func limitNumber(bf *big.Float) (uint64, *badLimit) {
	text := bf.Text('g', 20)
	switch {
	case bf.Sign() < 0:
		return 0, &badLimit{limitNegative, text}
	case !bf.IsInt():
		return 0, &badLimit{limitSyntax, text}
	}
	n, acc := bf.Uint64()
	if acc != big.Exact || n > maxLimit {
		return 0, &badLimit{limitTooLarge, text}
	}
	return n, nil
}

// parseLimit parses a limit written as a string: "unlimited" (in any case), a
// whole number, or, when size, a whole number followed by one of sizeUnits,
// optionally after a space.
func parseLimit(s string, size bool) (uint64, *badLimit) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "unlimited") {
		return Unlimited, nil
	}
	quoted := strconv.Quote(s)
	if strings.HasPrefix(t, "-") {
		return 0, &badLimit{limitNegative, quoted}
	}
	digits := t[:len(t)-len(strings.TrimLeft(t, "0123456789"))]
	unit := strings.TrimSpace(t[len(digits):])
	if digits == "" {
		return 0, &badLimit{limitSyntax, quoted}
	}
	mult := uint64(1)
	if unit != "" {
		m, ok := sizeUnits[strings.ToLower(unit)]
		switch {
		case ok && !size:
			return 0, &badLimit{limitUnit, unit}
		case !ok:
			return 0, &badLimit{limitSyntax, quoted}
		}
		mult = m
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > maxLimit/mult {
		return 0, &badLimit{limitTooLarge, quoted} // ParseUint fails on digits only when out of range
	}
	return n * mult, nil
}

// clone copies l, so that modules sharing the defaults' limits share no memory.
func (l Limits) clone() Limits {
	c := func(p *uint64) *uint64 {
		if p == nil {
			return nil
		}
		v := *p
		return &v
	}
	return Limits{Core: c(l.Core), NoFile: c(l.NoFile), NProc: c(l.NProc), MemLock: c(l.MemLock)}
}
