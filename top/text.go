package top

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// clean is s as the terminal may show it: no control character of a
// module's output (an escape sequence would move the cursor or change the
// colors of the view), C1 ones (U+0080 to U+009F) included, reaches it; a tab
// is a space; bytes that are not UTF-8, and on a terminal that is not UTF-8
// every non-ASCII character, are '?'.
func clean(s string, utf bool) string {
	ascii := true // printable ASCII only: the usual line, returned as it is
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] >= 0x20 && s[i] < 0x7f
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			b.WriteRune('?')
		case r == utf8.RuneError || r >= 0x80 && !utf:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fit is s cut or padded with spaces to exactly width cells (s may hold
// styles; a cut one ends in "~").
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	w := ansi.StringWidth(s)
	switch {
	case w == width:
		return s
	case w < width:
		return s + strings.Repeat(" ", width-w)
	}
	return ansi.Truncate(s, width, "~")
}

// fitRight is fit, aligned right.
func fitRight(s string, width int) string {
	if w := ansi.StringWidth(s); w < width {
		return strings.Repeat(" ", width-w) + s
	}
	return fit(s, width)
}

// short is d as top shows an uptime or a countdown: "45s", "12m05s",
// "3h04m", "2d05h". It is modview.HumanDuration with the second unit
// padded to two digits, so that a value the view redraws every second keeps
// its width within a unit and the column does not jitter.
func short(d time.Duration) string {
	switch {
	case d < 0:
		d = 0
		fallthrough
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}

// size is n bytes as "812K", "12.3M", "1.2G".
func size(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%dB", n)
	case n < 1<<20:
		return fmt.Sprintf("%dK", n>>10)
	case n < 1<<30:
		return fmt.Sprintf("%.1fM", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1fG", float64(n)/(1<<30))
}
