package logfiles

import (
	"sync/atomic"
	"time"
)

// ParseLine splits a line of a log file (without its newline) into its time and
// text. ok is false when the line does not start with a TimestampLayout time and a
// space: then text is the whole line.
func ParseLine(b []byte) (t time.Time, text []byte, ok bool) {
	// 29 bytes with an offset ("+01:00"), 24 in UTC ("Z").
	switch {
	case len(b) > 29 && b[29] == ' ' && (b[23] == '+' || b[23] == '-'):
		if t, ok := parseStamp(b[:29]); ok {
			return t, b[30:], true
		}
	case len(b) > 24 && b[24] == ' ' && b[23] == 'Z':
		if t, ok := parseStamp(b[:24]); ok {
			return t, b[25:], true
		}
	}
	return time.Time{}, b, false
}

// parseStamp is time.Parse(TimestampLayout, b) for the bytes svman writes (a year of
// four digits, then exactly as the layout), without its allocations: the log files
// hold millions of lines. The zone of an offset other than "Z" is a fixed one (never
// Local, which time.Parse may pick): the wall clock is the one written.
func parseStamp(b []byte) (time.Time, bool) {
	loc := time.UTC
	if b[23] != 'Z' {
		oh, ok1 := digits(b[24:26])
		om, ok2 := digits(b[27:29])
		if !ok1 || !ok2 || b[26] != ':' || oh > 24 || om > 60 { // time.Parse's leniency
			return time.Time{}, false
		}
		off := oh*3600 + om*60
		if b[23] == '-' {
			off = -off
		}
		loc = fixedZone(off)
	}
	return dateTime(b, 3, loc)
}

// dateTime reads "2006-01-02T15:04:05." and frac digits of a second at the
// start of b (which must be that long) as a time in loc, checking every
// field's range, without time.Parse's allocations.
func dateTime(b []byte, frac int, loc *time.Location) (time.Time, bool) {
	if b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[19] != '.' {
		return time.Time{}, false
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	nano, ok7 := digits(b[20 : 20+frac])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) ||
		month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	for range 9 - frac {
		nano *= 10
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nano, loc), true
}

// digits reads a run of decimal digits.
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// lastZone is the zone of the last offset seen: a file's lines all have the same
// one but twice a year.
var lastZone atomic.Pointer[zone]

type zone struct {
	off int
	loc *time.Location
}

// fixedZone returns a zone of the given offset.
func fixedZone(off int) *time.Location {
	if z := lastZone.Load(); z != nil && z.off == off {
		return z.loc
	}
	loc := time.FixedZone("", off)
	lastZone.Store(&zone{off, loc})
	return loc
}
