package manifest

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// MaxNameLen is the longest module name, in bytes. A name is one path component,
// the module's status directory status_dir/NAME, and Linux refuses any component
// longer than NAME_MAX, 255 bytes ("file name too long"). The files inside it
// have names of their own, at most 43 bytes (supervise.log.wf.2026-11-24T15-04-05.000-N).
const MaxNameLen = 255

// ValidName reports whether name may name a module: [A-Za-z0-9_][A-Za-z0-9_.-]*,
// at most MaxNameLen bytes. The one rule for every way a name comes in: module
// blocks (check, up, reload), Procfile lines, svman import and svman supervise.
func ValidName(name string) bool {
	return NameProblem(name) == ""
}

// NameProblem says, as the end of a sentence about name, why it cannot name a
// module and how to fix it; "" when it can.
//
// The first character is a letter, digit or "_": a leading "-" makes the name
// read as a flag on svman ctl's command line, and a leading "." hides its status
// directory (and allows "." and ".."). Other characters are letters, digits, "_",
// "." and "-", which need no quoting in a shell and are portable file names.
func NameProblem(name string) string {
	fixed := strings.Map(nameChar, name)
	if fixed != "" && fixed[0] != '_' && !alnum(fixed[0]) {
		fixed = "_" + fixed[1:]
	}
	try := ""
	if fixed != name && len(fixed) <= MaxNameLen {
		try = fmt.Sprintf(" Try %q.", fixed)
	}
	switch {
	case name == "":
		return `"" is empty: a name needs at least one letter, digit or "_".`
	case len(name) > MaxNameLen:
		return fmt.Sprintf("%.20q... is %d bytes long; a name may have at most %d, since it becomes the name of a directory (status_dir/NAME). Shorten it.", name, len(name), MaxNameLen)
	case fixed[1:] != name[1:]:
		return fmt.Sprintf("%q has characters a name cannot use: only letters, digits, \"_\", \".\" and \"-\", since it becomes the name of a directory (status_dir/NAME).%s", name, try)
	case fixed != name:
		return fmt.Sprintf("%q starts with %q: a name starts with a letter, a digit or \"_\" (a leading \"-\" reads as a flag to svman ctl, a leading \".\" hides its status directory).%s", name, name[:1], try)
	}
	return ""
}

// checkModuleName records a diagnostic at rng, the module block's label, unless
// name is a valid module name.
func (ev *evaluator) checkModuleName(name string, rng hcl.Range) bool {
	p := NameProblem(name)
	if p == "" {
		return true
	}
	ev.errorf(rng, "Invalid module name", "The module name %s", p)
	return false
}

// nameChar maps a character to itself when module names allow it, else to "-".
func nameChar(r rune) rune {
	if r < 0x80 && (alnum(byte(r)) || r == '_' || r == '.' || r == '-') {
		return r
	}
	return '-'
}

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
