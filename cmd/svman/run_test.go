package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/manifest"
)

// runManifest has modules whose commands the tests of svman run start.
const runManifest = `
smtp {
  username = "svman"
  password = "hunter2-secret"
}
module "web" {
  command = "echo web says $GREETING; exit 3"
  env     = { GREETING = "hello", SHARED = "module" }
}
module "reader" {
  command = "read line; echo \"read: $line\""
}
module "bare" {
  command   = ["env"]
  env_clear = true
  env       = { ONLY = "this" }
}
module "shaped" {
  command = "pwd; umask; ulimit -n"
  dir     = "sub"
  umask   = "027"
  limits { nofile = 1234 }
}
`

// newRunProject is a project with runManifest and the directory "sub" it names.
func newRunProject(t *testing.T) *project {
	t.Helper()
	p := newProject(t, runManifest)
	if err := os.Mkdir(filepath.Join(p.dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// svmanRun runs `svman run -f MANIFEST args...` (the svman binary, as a user
// would) to its end, with stdin as its stdin and env added to its environment,
// and returns its process state and what it wrote.
func (p *project) svmanRun(stdin string, env []string, args ...string) (*os.ProcessState, string, string) {
	p.t.Helper()
	cmd := newSvmanCmd(p.dir, append([]string{"run", "-f", p.manifestPath()}, args...)...)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		p.t.Fatalf("svman run %q: %v", args, err)
	}
	return cmd.ProcessState, stdout.String(), stderr.String()
}

// noStatusDir fails if svman run made the module's status directory.
func (p *project) noStatusDir(module string) {
	p.t.Helper()
	if _, err := os.Stat(p.statusDir(module)); !errors.Is(err, os.ErrNotExist) {
		p.t.Errorf("svman run touched status/%s (%v): it must not", module, err)
	}
}

// The module's own command runs by default; its exit code is svman run's.
func TestRunExitCode(t *testing.T) {
	p := newRunProject(t)
	st, out, errOut := p.svmanRun("", nil, "web")
	if st.ExitCode() != 3 || out != "web says hello\n" || errOut != "" {
		t.Errorf("svman run web = %d, %q, %q; want 3, %q, nothing on stderr", st.ExitCode(), out, errOut, "web says hello\n")
	}
	st, out, _ = p.svmanRun("", nil, "web", "--", "sh", "-c", "echo $0 $1; exit 42", "one", "two")
	if st.ExitCode() != 42 || out != "one two\n" {
		t.Errorf("svman run web -- sh ... = %d, %q; want 42, %q", st.ExitCode(), out, "one two\n")
	}
	p.noStatusDir("web")
}

// A command killed by a signal kills svman run by it, which a shell reports
// as 128+N.
func TestRunExitBySignal(t *testing.T) {
	p := newRunProject(t)
	st, _, _ := p.svmanRun("", nil, "web", "--", "sh", "-c", "kill -TERM $$")
	if ws := st.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("svman run of a command killed by SIGTERM ended %v, want killed by SIGTERM", st)
	}
	exe, _ := os.Executable()
	shell := exec.Command("/bin/sh", "-c", `"$0" run -f "$1" web -- sh -c 'kill -TERM $$'; echo "exit $?"`, exe, p.manifestPath())
	shell.Dir = p.dir
	shell.Env = newSvmanCmd(p.dir).Env
	out, err := shell.Output()
	if err != nil || string(out) != "exit 143\n" {
		t.Errorf("a shell running svman run says %q (%v), want %q", out, err, "exit 143\n")
	}
}

// The caller's stdin is the command's.
func TestRunPassesStdin(t *testing.T) {
	p := newRunProject(t)
	st, out, errOut := p.svmanRun("from the pipe\n", nil, "reader")
	if st.ExitCode() != 0 || out != "read: from the pipe\n" {
		t.Errorf("svman run reader = %d, %q, %q; want 0, %q", st.ExitCode(), out, errOut, "read: from the pipe\n")
	}
}

// The command gets the module's environment on top of svman's, and none of
// what marks a module's processes, svman's secrets or its service manager's
// variables; with env_clear, nothing but the module's env and a PATH.
func TestRunEnvironment(t *testing.T) {
	p := newRunProject(t)
	svmansEnv := []string{
		"SHARED=svman", "FROM_SVMAN=yes",
		"SVMAN_MODULE=other", "SVMAN_STATUS_DIR=/elsewhere/other", // as if run from another module
		"NOTIFY_SOCKET=/run/systemd/notify", "WATCHDOG_USEC=1000", "LISTEN_FDS=1",
		"MAIL_PASS=hunter2-secret",
	}
	st, out, errOut := p.svmanRun("", svmansEnv, "web", "--", "env")
	if st.ExitCode() != 0 {
		t.Fatalf("svman run web -- env = %d: %s", st.ExitCode(), errOut)
	}
	env := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, kv := range []string{"GREETING=hello", "SHARED=module", "FROM_SVMAN=yes"} {
		if !slices.Contains(env, kv) {
			t.Errorf("the command's environment lacks %s:\n%s", kv, out)
		}
	}
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "SVMAN_MODULE" || name == "SVMAN_STATUS_DIR",
			name == "NOTIFY_SOCKET" || strings.HasPrefix(name, "WATCHDOG_") || strings.HasPrefix(name, "LISTEN_"),
			strings.Contains(kv, "hunter2-secret"):
			t.Errorf("the command's environment has %s", kv)
		}
	}

	st, out, _ = p.svmanRun("", svmansEnv, "bare")
	if want := "ONLY=this\nPATH=" + manifest.DefaultPath + "\n"; st.ExitCode() != 0 || out != want {
		t.Errorf("svman run of an env_clear module = %d, environment\n%s\nwant\n%s", st.ExitCode(), out, want)
	}
	p.noStatusDir("web")
	p.noStatusDir("bare")
}

// The command runs in the module's directory, with its umask and limits.
func TestRunDirUmaskLimits(t *testing.T) {
	p := newRunProject(t)
	st, out, errOut := p.svmanRun("", nil, "shaped")
	if want := filepath.Join(p.dir, "sub") + "\n0027\n1234\n"; st.ExitCode() != 0 || out != want {
		t.Errorf("svman run shaped = %d, %q (%s); want 0, %q", st.ExitCode(), out, errOut, want)
	}
	p.noStatusDir("shaped")
}

// A command that is not there, or cannot be run, exits as a shell's would,
// and says why.
func TestRunCommandNotFound(t *testing.T) {
	p := newRunProject(t)
	notExec := filepath.Join(p.dir, "sub", "data.txt")
	if err := os.WriteFile(notExec, []byte("not a program\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		argv []string
		code int
		says string
	}{
		{[]string{"no-such-program-anywhere"}, 127, "svman run: web: no-such-program-anywhere: command not found in PATH\n"},
		{[]string{"./nothing-here"}, 127, "svman run: web: " + filepath.Join(p.dir, "nothing-here") + ": no such file or directory\n"},
		{[]string{notExec}, 126, "svman run: web: " + notExec + ": permission denied (not executable)\n"},
	} {
		st, _, errOut := p.svmanRun("", nil, append([]string{"web", "--"}, tc.argv...)...)
		if st.ExitCode() != tc.code || errOut != tc.says {
			t.Errorf("svman run web -- %s = %d, %q; want %d, %q", tc.argv[0], st.ExitCode(), errOut, tc.code, tc.says)
		}
	}
}

// A wrong name says which modules there are; a wrong command line is a usage
// error.
func TestRunUnknownModule(t *testing.T) {
	p := newRunProject(t)
	code, _, errOut := p.svmanCmd("run", "nope")
	if want := `svman run: no module named "nope" (modules: web, reader, bare, shaped)` + "\n"; code != exitFailure || errOut != want {
		t.Errorf("svman run nope = %d, %q; want %d, %q", code, errOut, exitFailure, want)
	}
	for _, args := range [][]string{{}, {"web", "echo"}, {"web", "--"}} {
		if code, _, errOut := p.svmanCmd("run", args...); code != exitUsage || !strings.HasPrefix(errOut, "svman run: ") {
			t.Errorf("svman run %q = %d, %q; want %d and why", args, code, errOut, exitUsage)
		}
	}
	p.noStatusDir("nope")
}

// A signal sent to svman run's pid reaches the command: svman has become it.
func TestRunSignalReachesCommand(t *testing.T) {
	p := newProject(t, helperModule("trap", "signal-trap"))
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		name := strings.TrimPrefix(manifest.SignalName(sig), "SIG")
		out := &syncBuffer{}
		cmd := newSvmanCmd(p.dir, "run", "-f", p.manifestPath(), "trap")
		cmd.Stdout, cmd.Stderr = out, out
		s := runSvman(t, cmd, out, nil)
		pid := s.waitOutput(`ready pid=(\d+)`)[1]
		if pid != strconv.Itoa(cmd.Process.Pid) {
			t.Errorf("the command's pid is %s, want svman run's own, %d", pid, cmd.Process.Pid)
		}
		cmd.Process.Signal(sig)
		if code := s.wait(); code != 7 || !strings.Contains(out.String(), "caught "+name+"\n") {
			t.Errorf("svman run sent %s: exit %d, output %q; want the command's handler and exit 7", name, code, out)
		}
	}
}

// svman run beside a supervised module: the run is not the module's, and
// `svman up` sees neither it nor its output; stopping the module leaves it be.
func TestRunBesideSvmanUp(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper"))
	up := p.up()
	pid := p.waitPID("web", 0)

	stdin, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	out := &syncBuffer{}
	cmd := newSvmanCmd(p.dir, "run", "-f", p.manifestPath(), "web", "--", "sh", "-c", `echo "one-off $$"; read line; echo "one-off done"`)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, out, out
	run := runSvman(t, cmd, out, func() { stdin.Close() })
	run.waitOutput(`one-off \d+`)

	if code, _, errOut := p.svmanCmd("ctl", "web", "down"); code != 0 {
		t.Fatalf("svman ctl web down = %d: %s", code, errOut)
	}
	testkit.WaitFor(t, "web to be down", func() bool { return !pidAlive(pid) && p.status("web").PID == 0 })
	if !pidAlive(cmd.Process.Pid) {
		t.Fatal("stopping web ended svman run's command too: it was taken for web's")
	}
	w.WriteString("go on\n")
	if code := run.wait(); code != 0 || !strings.HasSuffix(out.String(), "one-off done\n") {
		t.Errorf("svman run beside svman up = %d, %q", code, out)
	}
	if code := up.stop(); code != 0 {
		t.Errorf("svman up exited %d", code)
	}
	if strings.Contains(up.out.String(), "one-off") {
		t.Errorf("svman up saw svman run's command:\n%s", up.out)
	}
}

// On a terminal, the command has it on stdin and stdout, and Ctrl-C typed
// there interrupts the command.
func TestRunOnTerminal(t *testing.T) {
	p := newProject(t, helperModule("trap", "signal-trap"))
	term := openPTY(t)
	cmd := newSvmanCmd(p.dir, "run", "-f", p.manifestPath(), "trap")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = term.term, term.term, term.term
	// A session of its own with the pty as its controlling terminal, as a
	// login shell has: svman run is its foreground process group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	s := runSvman(t, cmd, term.out, term.closeTerm)
	s.waitOutput(`ready pid=`)
	if !strings.Contains(term.out.String(), "on a terminal") {
		t.Errorf("the command's stdin and stdout are not the terminal:\n%q", term.out)
	}
	term.typeIn(t, "\x03") // the intr character
	code := s.wait()
	select {
	case <-term.done: // every byte the command wrote has been read
	case <-time.After(testkit.Deadline):
		t.Fatal("the pty of svman run was not closed")
	}
	if code != 7 || !strings.Contains(term.out.String(), "caught INT") {
		t.Errorf("Ctrl-C at svman run's terminal: exit %d, output %q; want the command's handler and exit 7", code, term.out)
	}
}

// As root, the command runs as the module's user and group, with the user's
// HOME, in a directory only that user may enter.
func TestRunAsUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("switching user needs root")
	}
	p := newProject(t, `
module "as-nobody" {
  command = "id -u; id -g; echo $HOME $USER; pwd"
  user    = "nobody"
  dir     = "private"
}
`)
	private := filepath.Join(p.dir, "private")
	if err := os.Mkdir(private, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Dir(p.dir), p.dir} { // t.TempDir makes them 0700
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	st, _, errOut := p.svmanRun("", nil, "as-nobody")
	if st.ExitCode() != 1 || !strings.Contains(errOut, "working directory "+private+": permission denied") {
		t.Errorf("svman run of a module whose dir its user cannot enter = %d, %q; want 1 and why", st.ExitCode(), errOut)
	}
	nobody, err := manifest.Load(p.manifestPath())
	if err != nil {
		t.Fatal(err)
	}
	u := nobody.Modules[0].User
	if err := os.Chown(private, int(u.ID), int(u.GID)); err != nil {
		t.Fatal(err)
	}
	st, out, errOut := p.svmanRun("", nil, "as-nobody")
	want := strings.Join([]string{strconv.Itoa(int(u.ID)), strconv.Itoa(int(u.GID)), u.Home + " nobody", private}, "\n") + "\n"
	if st.ExitCode() != 0 || out != want {
		t.Errorf("svman run as-nobody = %d, %q (%s); want 0, %q", st.ExitCode(), out, errOut, want)
	}
}

// MODULE is a module's name, an instance's, or a block's with instances (its
// instance 0); anything else is an error that names what there is.
func TestRunModuleNames(t *testing.T) {
	m := &manifest.Manifest{
		Path: "/srv/app/supervise.hcl",
		Modules: []manifest.Module{
			{Name: "db"},
			{Name: "web.0", InstanceOf: "web"},
			{Name: "web.1", InstanceOf: "web", Instance: 1},
		},
		Instances: map[string]manifest.InstanceCount{
			"web":  {Count: 2, Declared: 2},
			"idle": {Count: 0, Declared: 0},
		},
	}
	for _, tc := range []struct{ name, module, err string }{
		{"db", "db", ""},
		{"web.1", "web.1", ""},
		{"web", "web.0", ""},
		{"idle", "", `module "idle" has instances = 0: it has no instance to run as (give it one, or svman scale idle=1)`},
		{"web.7", "", `no module named "web.7"; did you mean "web.0"? (modules: db, web, web.0, web.1, idle)`},
		{"wbe.1", "", `no module named "wbe.1"; did you mean "web.1"? (modules: db, web, web.0, web.1, idle)`},
		{"frontend", "", `no module named "frontend" (modules: db, web, web.0, web.1, idle)`},
	} {
		mod, err := runModule(m, tc.name)
		switch {
		case tc.err == "" && (err != nil || mod.Name != tc.module):
			t.Errorf("runModule(%q) = %v, %v; want %s", tc.name, mod, err, tc.module)
		case tc.err != "" && (err == nil || err.Error() != tc.err):
			t.Errorf("runModule(%q) = %v, %v; want the error %q", tc.name, mod, err, tc.err)
		}
	}
	if _, err := runModule(&manifest.Manifest{Path: "/srv/app/Procfile"}, "web"); err == nil || err.Error() != `no module named "web": /srv/app/Procfile has no modules` {
		t.Errorf("runModule in a manifest without modules: %v", err)
	}
}
