package systemd

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The writers' output, checked by hand against systemd.syntax(7) and
// systemd.service(5); TestQuotingAsSystemdReadsIt has systemd itself read
// the same values back.

func TestExecWord(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"--port=8080", "--port=8080"},
		{"/usr/bin/env", "/usr/bin/env"},
		{"", `""`},
		{"two words", `"two words"`},
		{"$HOME", "$$HOME"},
		{"${HOME}", `"$${HOME}"`},
		{"100%", "100%%"},
		{"%n", "%%n"},
		{`say "hi"`, `"say \"hi\""`},
		{"it's", `"it's"`},
		{`back\slash`, `"back\\slash"`},
		{"new\nline", `"new\nline"`},
		{"tab\there", `"tab\there"`},
		{"\x01\x7f", `"\x01\x7f"`},
		{"é", `"é"`},
		{"\xff", `"\xff"`},
		{";", `";"`},
		{`trailing\`, `"trailing\\"`},
		{"$(date +%T)", `"$$(date +%%T)"`},
	} {
		if got := execWord(c.in); got != c.want {
			t.Errorf("execWord(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestExecProgram(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"/usr/bin/python3", "/usr/bin/python3", true},
		{"python3", "python3", true},
		{"/opt/my app/run", `"/opt/my app/run"`, true},
		{"/opt/a$b/run", "/opt/a$b/run", true}, // "$" is literal in the program
		{"/opt/100%/run", "/opt/100%%/run", true},
		{"/opt/été/run", `"/opt/été/run"`, true},
		{`/opt/it's`, "", false},
		{`/opt/a"b`, "", false},
		{`/opt/a\b`, "", false},
		{"/opt/a\tb", "", false},
		{"-python3", "", false}, // a flag of the line
		{"@python3", "", false},
		{"/opt/-x", "/opt/-x", true},
		{"", "", false},
	} {
		got, ok := execProgram(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("execProgram(%q) = %s, %v; want %s, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestExecLine(t *testing.T) {
	for _, c := range []struct {
		flags, program string
		argv           []string
		want           string
	}{
		{"", "/bin/sleep", []string{"/bin/sleep", "10"}, "/bin/sleep 10"},
		{"", "sleep", []string{"sleep", "10"}, "sleep 10"},
		// A program found from a relative path keeps argv[0] as written.
		{"", "/srv/app/bin/web", []string{"./bin/web", "-p", "80"}, "@/srv/app/bin/web ./bin/web -p 80"},
		// "$" is literal in the program and expanded in argv[0].
		{"", "/opt/a$b", []string{"/opt/a$b"}, "@/opt/a$b /opt/a$$b"},
		{"-", "/bin/true", []string{"/bin/true", "a b"}, `-/bin/true "a b"`},
		{"-", "/srv/x", []string{"./x"}, "-@/srv/x ./x"},
		{"", "/bin/sh", []string{"/bin/sh", "-c", `echo "$HOME" 50%`}, `/bin/sh -c "echo \"$$HOME\" 50%%"`},
	} {
		got, ok := execLine(c.flags, c.program, c.argv)
		if !ok || got != c.want {
			t.Errorf("execLine(%q, %q, %q) = %s, %v; want %s", c.flags, c.program, c.argv, got, ok, c.want)
		}
	}
	if _, ok := execLine("", `/a"b`, []string{`/a"b`}); ok {
		t.Errorf("execLine accepted a program systemd refuses")
	}
}

func TestEnvAssignment(t *testing.T) {
	for _, c := range []struct {
		name, value, want string
		ok                bool
	}{
		{"PORT", "8080", `"PORT=8080"`, true},
		{"EMPTY", "", `"EMPTY="`, true},
		{"SPACES", "a b  c", `"SPACES=a b  c"`, true},
		{"DOLLAR", "pa$word ${X}", `"DOLLAR=pa$word ${X}"`, true}, // "$" is literal in Environment=
		{"PCT", "50% %n", `"PCT=50%% %%n"`, true},
		{"Q", `say "hi" it's`, `"Q=say \"hi\" it's"`, true},
		{"BS", `C:\dir\`, `"BS=C:\\dir\\"`, true},
		{"KEY", "-----BEGIN-----\nMIIB\n-----END-----\n", `"KEY=-----BEGIN-----\nMIIB\n-----END-----\n"`, true},
		{"CTL", "a\tb\rc\x1bd", `"CTL=a\tb\rc\x1bd"`, true},
		{"UTF8", "日本 é", `"UTF8=日本 é"`, true},
		{"EQ", "a=b", `"EQ=a=b"`, true},
		{"_x9", "v", `"_x9=v"`, true},
		{"BAD", "\xff", "", false},
		{"NUL", "a\x00b", "", false},
		{"MY-VAR", "v", "", false},
		{"9LIVES", "v", "", false},
		{"", "v", "", false},
	} {
		got, ok := envAssignment(c.name, c.value)
		if got != c.want || ok != c.ok {
			t.Errorf("envAssignment(%q, %q) = %s, %v; want %s, %v", c.name, c.value, got, ok, c.want, c.ok)
		}
	}
}

func TestPathValue(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"/srv/app", "/srv/app", true},
		{"/srv/my app", "/srv/my app", true},
		{`/srv/"q'`, `/srv/"q'`, true},
		{`/srv/a\b`, `/srv/a\b`, true}, // taken as written: no escapes
		{"/srv/100%", "/srv/100%%", true},
		{"/srv/a$b", "/srv/a$b", true},
		{"/srv/été", "/srv/été", true},
		{"/srv/a\nb", "", false},
		{"/srv/a\tb", "", false},
		{"/srv/app ", "", false},
		{`/srv/app\`, "", false},
		{"/srv/\xff", "", false},
		{"", "", false},
	} {
		got, ok := pathValue(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("pathValue(%q) = %s, %v; want %s, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestSearchPath(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
		ok   bool
	}{
		{[]string{"/usr/local/bin", "/usr/bin", "/bin"}, "/usr/local/bin:/usr/bin:/bin", true},
		{[]string{"/opt/my tools", "/opt/100%"}, "/opt/my tools:/opt/100%%", true},
		{[]string{`/opt/a\b`}, `/opt/a\\b`, true},
		{[]string{"/opt/a:b"}, "", false},
		{[]string{"/opt/x "}, "", false},
	} {
		got, ok := searchPath(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("searchPath(%q) = %s, %v; want %s, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestSpecifiers(t *testing.T) {
	if got, want := specifiers("svman: module web of /srv/100%/supervise.hcl\n"), "svman: module web of /srv/100%%/supervise.hcl?"; got != want {
		t.Errorf("specifiers = %q, want %q", got, want)
	}
}

func TestTimespan(t *testing.T) {
	for _, c := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0"},
		{time.Nanosecond, "1us"},
		{500 * time.Millisecond, "500ms"},
		{time.Second, "1s"},
		{90 * time.Second, "1min 30s"},
		{time.Hour + 2*time.Minute + 3*time.Second + 4*time.Millisecond + 5*time.Microsecond, "1h 2min 3s 4ms 5us"},
		{1500 * time.Microsecond, "1ms 500us"},
		{100 * time.Hour, "100h"},
	} {
		if got := timespan(c.in); got != c.want {
			t.Errorf("timespan(%s) = %q, want %q", c.in, got, c.want)
		}
	}
}

// tricky are values that every writer must carry through unchanged.
var tricky = []string{
	"plain", "two words", "", "$HOME", "${HOME}", "$$", "a$", "100%", "%n %i", `say "hi"`, "it's",
	`back\slash`, `trailing\`, "new\nline\n", "tab\there", "cr\rbell\a", "\x01\x1b\x7f", "é ü 日本",
	";", " lead", "-dash", "@at", "'single'", "$(date +%T)",
}

// systemd reads back every argument, argv[0] and environment value exactly
// as svman would give them: its --test mode dumps the command line and the
// environment as parsed.
func TestQuotingAsSystemdReadsIt(t *testing.T) {
	dir := unitDir(t)
	argv := append([]string{"weird $x %n argv0"}, tricky...)
	argv = append(argv, "\xff\xfe not UTF-8")
	line, ok := execLine("", "/bin/true", argv)
	if !ok {
		t.Fatal("execLine refused /bin/true")
	}
	text := "[Service]\nExecStart=" + line + "\n"
	var wantEnv strings.Builder
	for i, v := range tricky {
		name := fmt.Sprintf("V%02d", i)
		a, ok := envAssignment(name, v)
		if !ok {
			t.Fatalf("envAssignment refused %q", v)
		}
		text += "Environment=" + a + "\n"
		fmt.Fprintf(&wantEnv, "\t\tEnvironment: %s=%s\n", name, v)
	}
	wd := `/srv/a dir/"q'%é$x\y`
	p, _ := pathValue(wd)
	text += "WorkingDirectory=" + p + "\n"
	search, _ := searchPath([]string{"/opt/my tools", `/opt/a\b`, "/opt/100%"})
	text += "ExecSearchPath=" + search + "\n"
	writeUnit(t, dir, "quoting.service", text)

	dump := systemdDump(t, dir, "quoting.service")
	got, err := dumpedCommand(dump, "ExecStart")
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if !slices.Equal(got, argv) {
		t.Errorf("systemd reads the command line\n%s\nas\n%q\nwant\n%q", line, got, argv)
	}
	if !strings.Contains(dump, wantEnv.String()) {
		t.Errorf("systemd reads the environment as\n%s\nwant\n%s", envLines(dump), wantEnv.String())
	}
	for _, want := range []string{"\t\tWorkingDirectory: " + wd + "\n", "\t\tExecSearchPath: /opt/my tools /opt/a\\b /opt/100%\n"} {
		if !strings.Contains(dump, want) {
			t.Errorf("the dump lacks %q:\n%s", want, dump)
		}
	}
}

// envLines are the Environment: lines of a dump, for a message.
func envLines(dump string) string {
	i := strings.Index(dump, "\t\tEnvironment: ")
	j := strings.LastIndex(dump, "\t\tEnvironment: ")
	if i < 0 {
		return "(none)"
	}
	end := strings.IndexByte(dump[j:], '\n')
	return dump[i : j+end+1]
}

// systemd finds a program at every path execProgram writes: systemd-analyze
// verify says so of a program that is not where the line says.
func TestProgramsAsSystemdFindsThem(t *testing.T) {
	dir := unitDir(t)
	progs := filepath.Join(dir, "my progs %n $x é")
	if err := os.Mkdir(progs, 0o755); err != nil {
		t.Fatal(err)
	}
	var units []string
	for i, name := range []string{"plain", "with space", "100%", "a$b", "${X}", "é", "-dash", "semi;colon"} {
		path := filepath.Join(progs, name)
		if err := os.Symlink("/bin/true", path); err != nil {
			t.Fatal(err)
		}
		line, ok := execLine("", path, []string{path, "arg"})
		if !ok {
			t.Fatalf("execLine refused %q", path)
		}
		units = append(units, writeUnit(t, dir, fmt.Sprintf("p%d.service", i), "[Service]\nExecStart="+line+"\n"))
	}
	verify(t, false, units...)
}
