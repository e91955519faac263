package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"svman/internal/testkit"
	"svman/statusfs"
)

// terminal is a tmux session of its own server, running one command in a
// pane of a given size: what a user's terminal shows is its capture.
type terminal struct {
	t      *testing.T
	socket string // tmux -L: a server of the test's own
}

// terminals counts the tmux servers the tests started, for their names.
var terminals atomic.Int64

// startTerminal runs shell (a sh command line) in a new tmux pane of
// width x height, in dir; the test's end kills the tmux server.
func startTerminal(t *testing.T, dir string, width, height int, shell string) *terminal {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	term := &terminal{t: t, socket: fmt.Sprintf("svman-test-%d-%d", os.Getpid(), terminals.Add(1))}
	term.tmux("new-session", "-d", "-s", "top", "-x", strconv.Itoa(width), "-y", strconv.Itoa(height), "-c", dir, shell)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", term.socket, "kill-server").Run() })
	return term
}

func (term *terminal) tmux(args ...string) string {
	term.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", term.socket}, args...)...).CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

// screen is what the pane shows.
func (term *terminal) screen() string { return term.tmux("capture-pane", "-p", "-t", "top") }

// keys types keys (tmux's names: Down, Enter, or text).
func (term *terminal) keys(keys ...string) {
	term.tmux(append([]string{"send-keys", "-t", "top"}, keys...)...)
}

// waitScreen waits until the screen satisfies ok, and returns it.
func (term *terminal) waitScreen(what string, ok func(string) bool) string {
	term.t.Helper()
	var s string
	testkit.WaitFor(term.t, what, func() bool {
		s = term.screen()
		return ok(s)
	})
	return s
}

// screenRow is the line of the screen whose first word is name.
func screenRow(screen, name string) string {
	for _, l := range strings.Split(screen, "\n") {
		if f := strings.Fields(strings.TrimLeft(l, " >*")); len(f) > 0 && f[0] == name {
			return l
		}
	}
	return ""
}

// topShell is the command line of a pane that runs svman top on p (with
// args, or -f its manifest), then records how it exited and the terminal's
// modes in the files exit and stty.
func topShell(p *project, args ...string) string {
	if len(args) == 0 {
		args = []string{"-f", p.manifestPath()}
	}
	quoted := ""
	for _, a := range args {
		quoted += fmt.Sprintf(" %q", a)
	}
	return fmt.Sprintf("env %s=%s LANG=C.UTF-8 TERM=xterm-256color %q top%s; echo $? > exit; stty -a > stty; sleep 600",
		testkit.RoleEnv, svmanRole, os.Args[0], quoted)
}

// svman top against a real svman up, in a real terminal: the modules and
// their states, their log, a key that takes one down (its status file says
// so), a reload, the help, and q, after which the terminal is as it was.
func TestTopInATerminal(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper")+`module "talk" {
  command = "echo hello from talk; exec sleep 1000"
}
`)
	p.up()
	webPID := p.waitPID("web", 0)
	p.waitPID("talk", 0)
	term := startTerminal(t, p.dir, 100, 30, topShell(p))
	s := term.waitScreen("both modules up", func(s string) bool {
		return strings.Contains(screenRow(s, "web"), " up ") && strings.Contains(screenRow(s, "talk"), " up ")
	})
	if row := screenRow(s, "web"); !strings.Contains(row, strconv.Itoa(webPID)) {
		t.Errorf("web's row has not its pid %d: %q", webPID, row)
	}
	// The selection starts on the first row by name, talk, and its log shows.
	term.waitScreen("talk's log", func(s string) bool { return strings.Contains(s, "| hello from talk") })

	term.keys("Down", "d")
	term.waitScreen("web down on screen", func(s string) bool { return strings.Contains(screenRow(s, "web"), " down ") })
	st, err := statusfs.ReadStatus(p.statusDir("web"))
	if err != nil || st.Want != statusfs.WantDown || st.PID != 0 {
		t.Errorf("web's status file after d: %+v, %v; want down, no pid", st, err)
	}
	term.keys("u")
	term.waitScreen("web up again", func(s string) bool { return strings.Contains(screenRow(s, "web"), " up ") })

	// R: what a reload would do, then the reload, on y.
	term.keys("R")
	term.waitScreen("the reload's plan and question", func(s string) bool {
		return strings.Contains(s, "change nothing: the manifest is what runs") && strings.Contains(s, "reload the manifest, as above? y/n")
	})
	term.keys("y")
	// Said by svman top, or by svman's own reload event after it (whose
	// plan starts with its counts); a failed reload is "reload: " and why.
	term.waitScreen("the reload done", func(s string) bool {
		return strings.Contains(s, "reloaded: ") || strings.Contains(s, "reload: +0 -0 ~0")
	})

	term.keys("?")
	term.waitScreen("the help", func(s string) bool { return strings.Contains(s, "svman top: keys") })
	term.keys("x")
	term.waitScreen("the table again", func(s string) bool { return screenRow(s, "web") != "" })

	term.keys("q")
	testkit.WaitFor(t, "svman top to exit", func() bool {
		b, err := os.ReadFile(filepath.Join(p.dir, "stty"))
		return err == nil && len(b) > 0
	})
	checkRestored(t, p.dir, "0")
}

// With --api, svman top uses an api block's TCP listener with its token:
// the same view and the same keys.
func TestTopOverTCP(t *testing.T) {
	p := newProject(t, "api {\n  listen = \"127.0.0.1:0\"\n  token_file = \"token\"\n}\n"+helperModule("web", "sleeper"))
	if err := os.WriteFile(filepath.Join(p.dir, "token"), []byte("s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sv := p.up()
	addr := sv.waitOutput(`control API on (127\.0\.0\.1:\d+) \(HTTP\) too`)[1]
	p.waitPID("web", 0)
	term := startTerminal(t, p.dir, 100, 30, topShell(p, "--api", "http://"+addr, "--token-file", "token"))
	term.waitScreen("web up, over TCP", func(s string) bool {
		return strings.Contains(screenRow(s, "web"), " up ") && strings.Contains(s, "http://"+addr)
	})
	term.keys("d")
	term.waitScreen("web down", func(s string) bool { return strings.Contains(screenRow(s, "web"), " down ") })
	if st, err := statusfs.ReadStatus(p.statusDir("web")); err != nil || st.Want != statusfs.WantDown {
		t.Errorf("web's status file after d over TCP: %+v, %v", st, err)
	}
	term.keys("q")
	testkit.WaitFor(t, "svman top to exit", func() bool { b, _ := os.ReadFile(filepath.Join(p.dir, "stty")); return len(b) > 0 })

	// Without the token, svman top says why (the API's 401) and exits 1.
	if err := os.Remove(filepath.Join(p.dir, "stty")); err != nil {
		t.Fatal(err)
	}
	bare := startTerminal(t, p.dir, 100, 30, topShell(p, "--api", "http://"+addr))
	s := bare.waitScreen("the refusal", func(s string) bool { return strings.Contains(s, "a bearer token is needed") })
	testkit.WaitFor(t, "svman top to exit", func() bool { b, _ := os.ReadFile(filepath.Join(p.dir, "stty")); return len(b) > 0 })
	if b, _ := os.ReadFile(filepath.Join(p.dir, "exit")); strings.TrimSpace(string(b)) != "1" {
		t.Errorf("svman top without the token exited %q, want 1:\n%s", b, s)
	}
}

// SIGTERM and SIGINT end svman top, exit code 0, with the terminal as it was.
func TestTopRestoresTheTerminalOnSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			p := newProject(t, helperModule("web", "sleeper"))
			p.up()
			p.waitPID("web", 0)
			term := startTerminal(t, p.dir, 80, 24, topShell(p))
			term.waitScreen("web on screen", func(s string) bool { return screenRow(s, "web") != "" })
			shell, err := strconv.Atoi(strings.TrimSpace(term.tmux("display", "-p", "-t", "top", "#{pane_pid}")))
			if err != nil {
				t.Fatal(err)
			}
			children, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", shell, shell))
			top, err2 := strconv.Atoi(strings.TrimSpace(string(children)))
			if err != nil || err2 != nil {
				t.Fatalf("svman top's pid: %q, %v, %v", children, err, err2)
			}
			if err := syscall.Kill(top, sig); err != nil {
				t.Fatal(err)
			}
			testkit.WaitFor(t, "svman top to exit", func() bool {
				b, err := os.ReadFile(filepath.Join(p.dir, "stty"))
				return err == nil && len(b) > 0
			})
			checkRestored(t, p.dir, "0")
			if s := term.screen(); strings.Contains(s, "MODULE") {
				t.Errorf("the view is still on screen after svman top exited:\n%s", s)
			}
		})
	}
}

// checkRestored checks that svman top exited with code, and that the
// terminal it left reads lines and echoes them again (stty -a).
func checkRestored(t *testing.T, dir, code string) {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(dir, "exit"))
	if got := strings.TrimSpace(string(b)); got != code {
		t.Errorf("svman top exited %q, want %s", got, code)
	}
	modes, _ := os.ReadFile(filepath.Join(dir, "stty"))
	for _, mode := range []string{"icanon", "echo", "isig"} {
		if !strings.Contains(" "+strings.ReplaceAll(string(modes), "\n", " ")+" ", " "+mode+" ") {
			t.Errorf("the terminal is left without %s:\n%s", mode, modes)
		}
	}
}

// svman top refuses what is not a terminal, pointing at what a program
// should use instead.
func TestTopNeedsATerminal(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper"))
	code, out, errOut := p.svmanCmd("top")
	if code != exitUsage || out != "" || !strings.Contains(errOut, "needs a terminal") || !strings.Contains(errOut, "svman status --json") {
		t.Errorf("svman top on a pipe: %d %q %q", code, out, errOut)
	}
}
