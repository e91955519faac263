package logmux

import (
	"strings"

	"github.com/fatih/color"
)

// palette is the sequence of module colors, handed out in order of first registration.
// Red is left out on purpose: it reads as "error" and would make one module look broken.
var palette = [...]color.Attribute{
	color.FgCyan, color.FgYellow, color.FgGreen, color.FgMagenta, color.FgBlue,
	color.FgHiCyan, color.FgHiYellow, color.FgHiGreen, color.FgHiMagenta, color.FgHiBlue,
}

// style is a pre-rendered pair of SGR escapes around a prefix. Rendering once per module
// (instead of calling fatih/color per line) keeps the hot path free of fmt and allocations.
type style struct{ on, off string }

// newStyle renders attrs through fatih/color. Color is switched per object, never through
// the package-global color.NoColor, so two Consoles with different settings can coexist.
func newStyle(enabled bool, attrs ...color.Attribute) style {
	c := color.New(attrs...)
	if enabled {
		c.EnableColor()
	} else {
		c.DisableColor()
	}
	// Wrap a marker and split on it: fatih/color does not expose the escapes directly.
	on, off, _ := strings.Cut(c.Sprint("\x00"), "\x00")
	return style{on: on, off: off}
}

// moduleStyle is the style of the i-th registered module; the palette wraps around.
func moduleStyle(i int, enabled bool) style {
	return newStyle(enabled, palette[i%len(palette)])
}

// systemStyle is the style of svman's own lines: bold, no hue, so it never collides
// with a module color.
func systemStyle(enabled bool) style {
	return newStyle(enabled, color.Bold)
}

// PaletteLen is how many colors the modules' names take in turn.
const PaletteLen = len(palette)

// PaletteANSI is the ANSI color number (0–15) of the i-th module's color, as
// svman up shows it: for a view that draws the names in their console
// colors without fatih/color.
func PaletteANSI(i int) int {
	a := palette[i%len(palette)]
	if a >= color.FgHiBlack {
		return int(a-color.FgHiBlack) + 8
	}
	return int(a - color.FgBlack)
}
