package main

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"
)

// manFlag is the hidden argument of help that prints the manual page:
// svman help --man. make install installs its output as svman.1.
const manFlag = "--man"

// writeManPage writes svman(1) in man(7) roff, made from what svman help
// prints: the tagline, each command's usage line, summary, help and flags, the
// exit codes. Nothing in it is written twice.
func writeManPage(w io.Writer) {
	fmt.Fprintf(w, ".TH SVMAN 1 %s %s %s\n", roffArg(buildDate()), roffArg("svman "+version), roffArg("User Commands"))
	fmt.Fprintf(w, ".SH NAME\nsvman \\- %s\n", roffText(tagline))
	fmt.Fprintf(w, ".SH SYNOPSIS\n")
	for i, c := range commands() {
		if i > 0 {
			fmt.Fprintf(w, ".br\n")
		}
		fmt.Fprintf(w, ".B svman %s\n", roffText(c.name))
		if rest := strings.TrimPrefix(usageLine(c, usageFlags(c)), "svman "+c.name); rest != "" {
			fmt.Fprintf(w, "%s\n", roffText(strings.TrimSpace(rest)))
		}
	}
	fmt.Fprintf(w, ".SH DESCRIPTION\n%s\n", roffText(tagline))
	fmt.Fprintf(w, ".PP\n%s\n", roffText(helpHint))
	fmt.Fprintf(w, ".SH COMMANDS\n")
	for _, c := range commands() {
		fs := usageFlags(c)
		fmt.Fprintf(w, ".SS %s\n", roffArg(usageLine(c, fs)))
		fmt.Fprintf(w, "%s.\n", roffText(upperFirst(c.summary)))
		writeRoffText(w, c.help)
		writeRoffFlags(w, fs)
	}
	fmt.Fprintf(w, ".SH EXIT STATUS\n")
	for _, e := range exitCodes {
		fmt.Fprintf(w, ".TP\n.B %d\n%s\n", e.code, roffText(e.meaning))
	}
	fmt.Fprintf(w, ".PP\n%s\n", roffText("svman supervise keeps the legacy supervise's exit codes (see svman help supervise)."))
	fmt.Fprintf(w, ".SH FILES\n.TP\n.I %s\n%s\n", roffText(defaultManifest),
		roffText("The manifest every command reads, in the current directory, unless -f names another."))
	fmt.Fprintf(w, ".TP\n.I status_dir/NAME/\n%s\n",
		roffText("Each module's status directory: lock, the control FIFO, ok, the 20-byte status file, supervise.log."))
	fmt.Fprintf(w, ".SH SEE ALSO\n.BR supervise (8),\n%s\n", roffText("the README.md of svman, and svman help COMMAND."))
}

// buildDate is the date of the commit svman was built from, as go build
// records it; the day's date for a build without one.
func buildDate() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if t, err := time.Parse(time.RFC3339, s.Value); s.Key == "vcs.time" && err == nil {
				return t.UTC().Format(time.DateOnly)
			}
		}
	}
	return time.Now().UTC().Format(time.DateOnly)
}

// usageFlags is c's flag set as usage lines are made from: its declared flags,
// and none for supervise (its legacy options are in its help).
func usageFlags(c *command) *flag.FlagSet {
	if fs := declaredFlags(c, io.Discard); fs != nil {
		return fs
	}
	return newFlags(c, io.Discard)
}

// writeRoffText writes a help text: its paragraphs filled, its indented lines
// (tables, examples) as they are.
func writeRoffText(w io.Writer, text string) {
	verbatim, para := false, true
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		indented := strings.HasPrefix(line, " ")
		switch {
		case strings.TrimSpace(line) == "":
			para = true
			continue
		case indented && !verbatim:
			fmt.Fprintf(w, ".PP\n.RS 2\n.nf\n")
			verbatim, para = true, false
		case !indented && verbatim:
			fmt.Fprintf(w, ".fi\n.RE\n")
			verbatim = false
		}
		switch {
		case verbatim:
			fmt.Fprintf(w, "%s\n", roffText(strings.TrimPrefix(line, "  ")))
		case para:
			fmt.Fprintf(w, ".PP\n%s\n", roffText(line))
			para = false
		default:
			fmt.Fprintf(w, "%s\n", roffText(line))
		}
	}
	if verbatim {
		fmt.Fprintf(w, ".fi\n.RE\n")
	}
}

// writeRoffFlags lists fs's flags as svman help does (printFlags), each as a
// tagged paragraph.
func writeRoffFlags(w io.Writer, fs *flag.FlagSet) {
	if !hasFlags(fs) {
		return
	}
	fmt.Fprintf(w, ".PP\nFlags:\n")
	var list strings.Builder
	printFlags(&list, fs)
	for _, line := range strings.Split(strings.TrimRight(list.String(), "\n"), "\n") {
		if desc, ok := strings.CutPrefix(line, "    \t"); ok {
			fmt.Fprintf(w, "%s\n", roffText(desc))
			continue
		}
		fmt.Fprintf(w, ".TP\n.B %s\n", roffText(strings.TrimSpace(line)))
	}
}

// roffText escapes s for a line of roff text: a backslash is written \e, and
// a line that starts with a control character ('.' or ') or a blank starts
// with the zero-width \& instead.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	if s != "" && strings.ContainsRune(".' ", rune(s[0])) {
		s = `\&` + s
	}
	return s
}

// roffArg is s as one argument of a macro: quoted, with its own double quotes
// written \(dq.
func roffArg(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\e`), `"`, `\(dq`) + `"`
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
