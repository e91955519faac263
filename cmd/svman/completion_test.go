package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"svman/manifest"
)

// completionDir is a directory with a supervise.hcl (web, worker), other.hcl
// (other) and broken.hcl, and a PATH on which svman is the test binary, as a
// completion script runs it to read the module names.
func completionDir(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	files := map[string]string{
		"supervise.hcl": "module \"web\" {\n  command = [\"sleep\", \"1\"]\n}\nmodule \"worker\" {\n  command = [\"sleep\", \"1\"]\n}\n",
		"other.hcl":     "module \"other\" {\n  command = [\"sleep\", \"1\"]\n}\n",
		"broken.hcl":    "module \"web\" {\n  command = \n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(exe, filepath.Join(bin, "svman")); err != nil {
		t.Fatal(err)
	}
	return dir, bin + string(os.PathListSeparator) + os.Getenv("PATH")
}

// completionScript is svman completion SHELL's output, written to a file.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"completion", shell}, &stdout, &stderr); code != 0 {
		t.Fatalf("svman completion %s: exit %d: %s", shell, code, stderr.String())
	}
	path := filepath.Join(t.TempDir(), "svman."+shell)
	if err := os.WriteFile(path, stdout.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The scripts svman completion prints are valid for their shells.
func TestCompletionScriptsParse(t *testing.T) {
	for _, sh := range completionShells {
		t.Run(sh.name, func(t *testing.T) {
			if _, err := exec.LookPath(sh.name); err != nil {
				t.Skipf("no %s", sh.name)
			}
			script := completionScript(t, sh.name)
			if out, err := exec.Command(sh.name, "-n", script).CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("%s -n: %v\n%s", sh.name, err, out)
			}
		})
	}
}

// completer runs a shell's completion of the command line line (words
// separated by blanks; the last, maybe empty, is the word being completed) in
// dir, and returns what it offers, sorted, as the word under the cursor would
// become: for "--color=a", "always" and "auto".
type completer func(t *testing.T, script, dir, path, line string) []string

// completionShells are the shells whose completion the tests run, each with
// the command that runs it; a shell that is not installed is skipped.
var completionShells = []struct {
	name     string
	complete completer
}{
	{"bash", bashComplete},
	{"zsh", zshComplete},
	{"fish", fishComplete},
}

// shellOutput runs a shell's command line and returns its output's words,
// sorted, each once; anything on stderr fails the test.
func shellOutput(t *testing.T, dir, path string, argv ...string) []string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) || stderr.Len() > 0 { // exit 1: nothing to offer
		t.Fatalf("%q: %v\n%s", argv, err, stderr.String())
	}
	lines := strings.Fields(string(out))
	slices.Sort(lines)
	return slices.Compact(lines) // a shell shows each once
}

// bashComplete runs _svman with COMP_WORDS split as bash splits a line: at
// blanks, and at "=" (COMP_WORDBREAKS), which stands as a word of its own.
func bashComplete(t *testing.T, script, dir, path, line string) []string {
	t.Helper()
	var words []string
	for _, w := range strings.Split(line, " ") {
		first, rest, eq := strings.Cut(w, "=")
		words = append(words, first)
		if eq {
			words = append(words, "=")
			if rest != "" {
				words = append(words, rest)
			}
		}
	}
	return shellOutput(t, dir, path, append([]string{"bash", "--norc", "--noprofile", "-c",
		`source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _svman; printf '%s\n' "${COMPREPLY[@]}"`,
		"bash", script}, words...)...)
}

// zshStubs stand for the completion system's builtins and functions the
// script calls, which exist only while zsh completes: each prints the words it
// is given that start with PREFIX (the word under the cursor), as compadd
// offers them.
const zshStubs = `
zmodload zsh/parameter
compadd() {
	local s= w
	while [[ $1 == -* && $1 != -- ]]; do
		[[ $1 == -S ]] && { s=$2; shift; }
		shift
	done
	[[ $1 == -- ]] && shift
	for w; do [[ $w == ${PREFIX}* ]] && print -r -- "$w$s"; done
}
compset() { [[ $1 == -P ]] && PREFIX=${PREFIX#*=}; return 0; }
_describe() { local e; for e in ${(P)${@[-1]}}; do compadd -- ${e%%:*}; done; }
_files() { compadd -- *(N); }
_command_names() { compadd -- ${(k)commands}; }
`

// zshComplete runs _svman with words and CURRENT set as zsh sets them, and
// the completion system's functions stubbed (zshStubs).
func zshComplete(t *testing.T, script, dir, path, line string) []string {
	t.Helper()
	return shellOutput(t, dir, path, append([]string{"zsh", "-f", "-c",
		zshStubs + `source "$1"; shift; words=("$@"); CURRENT=$#; PREFIX=$words[CURRENT]; _svman`,
		"zsh", script}, strings.Split(line, " ")...)...)
}

// fishComplete asks fish what it completes line with (complete -C), and
// keeps the words without their descriptions and, for --flag=value, the value.
func fishComplete(t *testing.T, script, dir, path, line string) []string {
	t.Helper()
	out := shellOutput(t, dir, path, "fish", "--no-config", "-c",
		`source $argv[1]; complete -C$argv[2] | string replace -r '\t.*' ''`, script, line)
	cur := line[strings.LastIndex(line, " ")+1:]
	if flag, _, ok := strings.Cut(cur, "="); ok && strings.HasPrefix(flag, "-") {
		for i := range out {
			out[i] = strings.TrimPrefix(out[i], flag+"=")
		}
	}
	return out
}

// completionCase is a command line and what its completion offers.
type completionCase struct {
	line string
	want string // blank-separated
}

// testCompletion runs cases through every installed shell's completion with
// the script specs make.
func testCompletion(t *testing.T, specs []completionSpec, cases []completionCase) {
	dir, path := completionDir(t)
	writers := map[string]func(io.Writer, []completionSpec){
		"bash": writeBashCompletion, "zsh": writeZshCompletion, "fish": writeFishCompletion,
	}
	for _, sh := range completionShells {
		t.Run(sh.name, func(t *testing.T) {
			if _, err := exec.LookPath(sh.name); err != nil {
				t.Skipf("no %s", sh.name)
			}
			var script bytes.Buffer
			writers[sh.name](&script, specs)
			file := filepath.Join(t.TempDir(), "svman."+sh.name)
			if err := os.WriteFile(file, script.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, tc := range cases {
				got := sh.complete(t, file, dir, path, tc.line)
				want := strings.Fields(tc.want)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s<TAB> offers %q, want %q", tc.line, got, want)
				}
			}
		})
	}
}

func TestCompletion(t *testing.T) {
	controls := "a alrm c cont d down exit h hup i int k kill n notify o once p pause r reload s silence t term u up x"
	testCompletion(t, completionSpecs(), []completionCase{
		{"svman ct", "ctl"},
		{"svman c", "check completion ctl"},
		{"svman --v", "--version"},
		{"svman status -", "--json --status-dir -f"},
		{"svman logs --f", "--follow"},
		{"svman logs --color ", "always auto never"},
		{"svman logs --color=", "always auto never"},
		{"svman logs --color=a", "always auto"},
		{"svman status ", "web worker"},
		{"svman status --json w", "web worker"},
		{"svman status web wo", "worker"},
		{"svman wait --timeout 10s ", "web worker"},
		{"svman logs -n 5 -F ", "web worker"},
		{"svman ctl ", "web worker"},
		{"svman ctl web ", controls + " web worker"},
		{"svman ctl web worker d", "d down"},
		{"svman ctl -f other.hcl ", "other"},
		{"svman ctl --f=other.hcl ", "other"},
		{"svman status -f broken.hcl ", ""},
		{"svman status -f missing.hcl ", ""},
		{"svman up -f oth", "other.hcl"},
		{"svman import oth", "other.hcl"},
		{"svman up --only ", ""},
		{"svman diff ", ""},
		{"svman help s", "scale status supervise"},
		{"svman completion ", "bash fish zsh"},
		{"svman a", "alarm"},
		{"svman alarm ", "web worker"},
		{"svman alarm --systemd w", "web worker"},
		{"svman alarm --event ", "blocked exited gave_up not_ready start_failed unhealthy"},
		{"svman alarm --event=g", "gave_up"},
		{"svman alarm web ", ""},
		{"svman p", "probe"},
		{"svman probe --wait 30s ", "web worker"},
		{"svman probe --health wo", "worker"},
		{"svman probe web ", ""},
		{"svman frobnicate ", ""},
	})
}

// Commands added to the table are completed from their args: scale's
// MODULE=N... offers each module with "=", run's MODULE [-- COMMAND ARGS...] a
// module, then a program, then paths.
func TestCompletionFollowsArgs(t *testing.T) {
	specs := completionSpecs()
	for _, c := range []*command{
		{name: "scale", args: "MODULE=N..."},
		{name: "run", args: "MODULE [-- COMMAND ARGS...]", flags: func(fs *flag.FlagSet) { manifestFlag(fs) }},
	} {
		if findCommand(c.name) == nil {
			specs = append(specs, commandSpec(c))
		}
	}
	testCompletion(t, specs, []completionCase{
		{"svman scale ", "web= worker="},
		{"svman scale web=3 wo", "worker="},
		{"svman scale web=", ""},
		{"svman run ", "web worker"},
		{"svman run -f other.hcl ", "other"},
		{"svman run web ", ""},
		{"svman run web -- svm", "svman"},
		{"svman run web -- svman oth", "other.hcl"},
	})
}

// Every command's flags are offered after "svman NAME -", as svman help NAME
// lists them.
func TestCompletionOffersEveryFlag(t *testing.T) {
	var cases []completionCase
	for _, c := range commands() {
		if c == superviseCommand {
			continue
		}
		var p project
		_, help, _ := p.runArgs("help", c.name)
		var want []string
		if _, list, ok := strings.Cut(help, "\nFlags:\n"); ok {
			for _, line := range strings.Split(list, "\n") {
				if strings.HasPrefix(line, "  -") {
					for _, f := range strings.Split(strings.TrimSpace(line), ", ") {
						f, _, _ = strings.Cut(f, " ")
						want = append(want, f)
					}
				}
			}
		}
		slices.Sort(want)
		cases = append(cases, completionCase{"svman " + c.name + " -", strings.Join(want, " ")})
	}
	testCompletion(t, completionSpecs(), cases)
}

// svman completion --modules prints the names a command takes: every module's
// and every block's with instances; nothing, and exit 0, for a manifest that
// cannot be loaded.
func TestCompletionModules(t *testing.T) {
	dir, _ := completionDir(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-f", filepath.Join(dir, "supervise.hcl")}, "web\nworker\n"},
		{[]string{"-f", filepath.Join(dir, "broken.hcl")}, ""},
		{[]string{"-f", filepath.Join(dir, "missing.hcl")}, ""},
		{[]string{"--bogus"}, ""},
	} {
		var p project
		code, out, errOut := p.runArgs(append([]string{"completion", modulesFlag}, tc.args...)...)
		if code != 0 || out != tc.want || errOut != "" {
			t.Errorf("svman completion --modules %q = %d %q %q, want 0 %q", tc.args, code, out, errOut, tc.want)
		}
	}
	m := &manifest.Manifest{
		Modules: []manifest.Module{
			{Name: "db"},
			{Name: "web.0", InstanceOf: "web"}, {Name: "web.1", InstanceOf: "web", Instance: 1},
			{Name: "api"},
		},
		Instances: map[string]manifest.InstanceCount{"web": {Count: 2}, "idle": {Count: 0}},
	}
	if got, want := moduleNames(m), []string{"db", "web", "web.0", "web.1", "api", "idle"}; !slices.Equal(got, want) {
		t.Errorf("moduleNames = %q, want %q", got, want)
	}
}

// svman completion without a known shell is a usage error.
func TestCompletionUsage(t *testing.T) {
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		var p project
		code, out, errOut := p.runArgs(args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, "Usage: svman completion bash|zsh|fish") {
			t.Errorf("svman %q = %d %q %q", args, code, out, errOut)
		}
	}
}
