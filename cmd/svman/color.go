package main

import (
	"flag"
	"fmt"
	"os"
	"slices"

	"golang.org/x/sys/unix"
)

// colorFlag is --color=auto|always|never.
type colorFlag string

func (c *colorFlag) String() string { return string(*c) }

func (c *colorFlag) Set(s string) error {
	if !slices.Contains(c.choices(), s) {
		return fmt.Errorf("want auto, always or never")
	}
	*c = colorFlag(s)
	return nil
}

// choices makes --color a choiceFlag: the completion offers these values.
func (*colorFlag) choices() []string { return []string{"auto", "always", "never"} }

func addColorFlag(fs *flag.FlagSet) *colorFlag {
	c := colorFlag("auto")
	fs.Var(&c, "color", "color the output: `WHEN` is auto (on a terminal, unless NO_COLOR is set), always or never")
	return &c
}

// enabled decides for output going to f: always and never are final; auto means
// a terminal and no NO_COLOR (https://no-color.org).
func (c colorFlag) enabled(f any) bool {
	switch c {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	return isTerminal(f)
}

// terminalText says whether a console writing to w shows the modules' escape
// sequences and control characters as visible text (logmux.Options.Escape): on a
// terminal, and whenever colors are on, since colors mean the output is meant
// for one (--color=always | less -R). A file or a pipe gets the bytes as written,
// colors stripped.
func terminalText(w any, color bool) bool {
	return color || isTerminal(w)
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
