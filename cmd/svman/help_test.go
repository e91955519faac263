package main

import (
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// hasFlag reports whether flag (such as "--color" or "-F") stands as a flag in
// text, a usage line: after "[", "|" or a blank, and before "]" or a blank.
func hasFlag(text, flag string) bool {
	return regexp.MustCompile(`(^|[\[| ])` + regexp.QuoteMeta(flag) + `([\] ]|$)`).MatchString(text)
}

// flagsIn lists what looks like a flag in a usage line.
func flagsIn(text string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?:^|[\[| ])(--?[A-Za-z][\w-]*)`).FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// readmeHeading is the README.md heading that documents svman NAME.
func readmeHeading(t *testing.T, readme, name string) string {
	t.Helper()
	for _, line := range strings.Split(readme, "\n") {
		if strings.HasPrefix(line, "### ") && (strings.Contains(line, "`svman "+name+" ") || strings.Contains(line, "`svman "+name+"`")) {
			return line
		}
	}
	t.Errorf("README.md has no heading for svman %s", name)
	return ""
}

// Every flag of every command appears, spelt as it is typed (-f, --color), in
// the usage line of svman help CMD and in README.md's heading for CMD; neither
// names a flag the command does not have.
func TestHelpNamesEveryFlag(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, c := range commands() {
		if c == superviseCommand {
			continue // the legacy command line: TestSuperviseHelpNamesEveryOption
		}
		var p project
		code, out, errOut := p.runArgs("help", c.name)
		usage, _, _ := strings.Cut(out, "\n")
		if code != 0 || !strings.HasPrefix(usage, "Usage: svman "+c.name) {
			t.Errorf("help %s = %d %q %q", c.name, code, out, errOut)
			continue
		}
		heading := readmeHeading(t, readme, c.name)
		var flags []string // from the list under "Flags:", made from the command's flag set
		if _, list, ok := strings.Cut(out, "\nFlags:\n"); ok {
			for _, line := range strings.Split(list, "\n") {
				if !strings.HasPrefix(line, "  -") {
					continue
				}
				for _, f := range strings.Split(strings.TrimSpace(line), ", ") {
					f, _, _ = strings.Cut(f, " ")
					if long := strings.TrimLeft(f, "-"); len(long) > 1 && !strings.HasPrefix(f, "--") {
						t.Errorf("help %s lists %s with one dash", c.name, f)
					}
					flags = append(flags, f)
				}
			}
		}
		for _, f := range flags {
			if !hasFlag(usage, f) {
				t.Errorf("help %s: the usage line lacks %s: %s", c.name, f, usage)
			}
			if !hasFlag(heading, f) {
				t.Errorf("README.md's heading for %s lacks %s: %s", c.name, f, heading)
			}
		}
		for _, f := range append(flagsIn(usage), flagsIn(heading)...) {
			if !strings.Contains(" "+strings.Join(flags, " ")+" ", " "+f+" ") {
				t.Errorf("svman %s has no flag %s, but its usage line or README heading names it:\n%s\n%s", c.name, f, usage, heading)
			}
		}
		if strings.Contains(out, ") (default") {
			t.Errorf("help %s states a default twice:\n%s", c.name, out)
		}
	}
}

// svman help lists the commands with their summaries in one column.
func TestHelpListIsAligned(t *testing.T) {
	var p project
	_, out, _ := p.runArgs("help")
	col := -1
	for _, c := range commands() {
		i := strings.Index(out, "\n  "+c.name+" ")
		if i < 0 {
			t.Fatalf("help does not list %s:\n%s", c.name, out)
		}
		line, _, _ := strings.Cut(out[i+1:], "\n")
		at := strings.Index(line, c.summary)
		if col >= 0 && at != col {
			t.Errorf("the summary of %s starts at column %d, the others' at %d:\n%s", c.name, at, col, out)
		}
		col = at
	}
}

// svman supervise takes the legacy command line: every option its parser takes
// appears in svman help supervise's usage and in README.md's usage lines.
func TestSuperviseHelpNamesEveryOption(t *testing.T) {
	options := []string{"--foreground"}
	for c := 'A'; c <= 'z'; c++ {
		if c > 'Z' && c < 'a' {
			continue
		}
		if _, err := parseSuperviseArgs([]string{"-" + string(c), "x/status/x"}); err == nil || !strings.Contains(err.Error(), "invalid option") {
			options = append(options, "-"+string(c))
		}
	}
	if len(options) < 9 {
		t.Fatalf("the parser takes only %v", options)
	}
	var p project
	_, out, _ := p.runArgs("help", "supervise")
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var usage, readme []string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "Usage: ") {
			usage = append(usage, line)
		}
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "    supervise ") {
			readme = append(readme, line)
		}
	}
	for _, o := range options {
		if !hasFlag(strings.Join(usage, " "), o) {
			t.Errorf("help supervise's usage lacks %s:\n%s", o, strings.Join(usage, "\n"))
		}
		if !hasFlag(strings.Join(readme, " "), o) {
			t.Errorf("README.md's supervise usage lacks %s:\n%s", o, strings.Join(readme, "\n"))
		}
	}
}

// svman help CMD lists the flags that CMD's flags declare (command.flags), the
// same that CMD -h lists from the flag set its run parses: a flag declared in
// run alone would be missing from help, completion and the man page.
func TestHelpListsTheFlagsRunParses(t *testing.T) {
	for _, c := range commands() {
		switch c {
		case superviseCommand, helpCommand, versionCommand:
			continue // the legacy command line; no flags, and -h is not parsed
		}
		var p project
		code, help, _ := p.runArgs("help", c.name)
		hcode, h, herr := p.runArgs(c.name, "-h")
		if code != 0 || hcode != 0 || h+herr != help {
			t.Errorf("svman help %s (exit %d):\n%s\nsvman %s -h (exit %d):\n%s%s", c.name, code, help, c.name, hcode, h, herr)
		}
	}
}

// readmeUsages is every usage line that a heading of README.md's Commands
// section gives in backquotes ("### `svman version`, `svman help [COMMAND]`"),
// by the command it names.
func readmeUsages(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Commands\n")
	if !ok {
		t.Fatal("README.md has no Commands section")
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	usages := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "### ") {
			continue
		}
		for _, m := range regexp.MustCompile("`(svman [^`]*)`").FindAllStringSubmatch(line, -1) {
			name, _, _ := strings.Cut(strings.TrimPrefix(m[1], "svman "), " ")
			if _, dup := usages[name]; dup {
				t.Errorf("README.md documents svman %s twice", name)
			}
			usages[name] = m[1]
		}
	}
	return usages
}

// The Commands section of README.md has a heading for every command that gives
// its usage line as svman help prints it, and none for a command that does
// not exist.
func TestReadmeHeadingsAreTheUsageLines(t *testing.T) {
	usages := readmeUsages(t)
	for _, c := range commands() {
		if c == superviseCommand {
			continue // the legacy command line, in its own section: TestSuperviseHelpNamesEveryOption
		}
		want := usageLine(c, declaredFlags(c, io.Discard))
		got, ok := usages[c.name]
		switch {
		case !ok:
			t.Errorf("README.md's Commands section has no heading for svman %s: want ### `%s`", c.name, want)
		case got != want:
			t.Errorf("README.md's heading for svman %s is\n\t%s\nits usage line is\n\t%s", c.name, got, want)
		}
	}
	for name := range usages {
		if findCommand(name) == nil {
			t.Errorf("README.md's Commands section documents svman %s, which is not a command", name)
		}
	}
}
