package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// manPage is svman help --man's output.
func manPage(t *testing.T) string {
	t.Helper()
	var p project
	code, out, errOut := p.runArgs("help", manFlag)
	if code != 0 || errOut != "" {
		t.Fatalf("svman help --man = %d, stderr %q", code, errOut)
	}
	return out
}

// The manual has man(7)'s sections, and each command with its usage line,
// summary and flags, as svman help gives them.
func TestManPageHasEveryCommand(t *testing.T) {
	page := manPage(t)
	if !strings.HasPrefix(page, ".TH SVMAN 1 ") {
		t.Errorf("the manual starts with %q", strings.SplitN(page, "\n", 2)[0])
	}
	for _, sh := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", `"EXIT STATUS"`, "FILES", `"SEE ALSO"`} {
		if !strings.Contains(page, "\n.SH "+strings.Trim(sh, `"`)+"\n") {
			t.Errorf("the manual has no %s section", sh)
		}
	}
	for _, c := range commands() {
		fs := usageFlags(c)
		if !strings.Contains(page, "\n.SS "+roffArg(usageLine(c, fs))+"\n"+roffText(upperFirst(c.summary))+".\n") {
			t.Errorf("the manual has no section %q with its summary", usageLine(c, fs))
		}
		for _, group := range flagGroups(fs) {
			if !strings.Contains(page, "\n.B "+flagSpelling(group[0])) {
				t.Errorf("the manual does not list svman %s's %s", c.name, flagSpelling(group[0]))
			}
		}
	}
}

// The manual passes the linters of man pages that are installed, and reads as
// the help does: indented tables kept as they are, lines that start with a
// quote or a dot printed.
func TestManPageFormats(t *testing.T) {
	page := manPage(t)
	file := filepath.Join(t.TempDir(), "svman.1")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	linters := [][]string{
		{"mandoc", "-Tlint", "-W", "warning", file},
		{"groff", "-man", "-Tutf8", "-ww", "-z", file},
	}
	ran := 0
	for _, argv := range linters {
		if _, err := exec.LookPath(argv[0]); err != nil {
			continue
		}
		ran++
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, out)
		}
	}
	if _, err := exec.LookPath("groff"); err != nil {
		t.Skipf("no groff to read the manual with (%d linters ran)", ran)
	}
	out, err := exec.Command("groff", "-man", "-Tutf8", "-P-cbou", "-rLL=200n", file).Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"svman - " + tagline,
		"  up u       want up: start it, restart it whenever it exits", // ctl's table
		"'echo d > status/NAME/control'",                               // a line of ctl's help that starts with a quote
		"source <(svman completion bash)",
		"Usage: svman help [COMMAND]"[len("Usage: "):],
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the manual, as groff prints it, lacks %q", want)
		}
	}
}

func TestRoffEscapes(t *testing.T) {
	for in, want := range map[string]string{
		".env beside it":  `\&.env beside it`,
		"'echo d' > ctl":  `\&'echo d' > ctl`,
		` a\b`:            `\& a\eb`,
		"plain -f FILE":   "plain -f FILE",
		"a . and a ' too": "a . and a ' too",
	} {
		if got := roffText(in); got != want {
			t.Errorf("roffText(%q) = %q, want %q", in, got, want)
		}
	}
	if got, want := roffArg(`say "hi" \o`), `"say \(dqhi\(dq \eo"`; got != want {
		t.Errorf("roffArg = %q, want %q", got, want)
	}
}

// make install puts the binary in $(PREFIX)/bin and the manual, as the
// binary prints it, in $(PREFIX)/share/man/man1 under DESTDIR.
func TestMakeInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds svman")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	dest := t.TempDir()
	cmd := exec.Command("make", "-C", "../..", "install", "DESTDIR="+dest)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	bin := filepath.Join(dest, "usr/local/bin/svman")
	page, err := os.ReadFile(filepath.Join(dest, "usr/local/share/man/man1/svman.1"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "help", manFlag).Output()
	if err != nil {
		t.Fatalf("%s help --man: %v", bin, err)
	}
	if !bytes.Equal(page, out) || !bytes.HasPrefix(page, []byte(".TH SVMAN 1 ")) {
		t.Errorf("the installed svman.1 is not what the installed svman prints:\n%.200s", page)
	}
}
