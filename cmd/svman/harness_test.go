package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/statusfs"
)

// syncBuffer collects a process's output for tests to wait on.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// project is a temporary directory with a manifest in it.
type project struct {
	t   *testing.T
	dir string
}

func newProject(t *testing.T, manifest string) *project {
	t.Helper()
	p := &project{t: t, dir: t.TempDir()}
	p.write(manifest)
	return p
}

func (p *project) manifestPath() string { return filepath.Join(p.dir, "supervise.hcl") }

func (p *project) write(manifest string) {
	p.t.Helper()
	if err := os.WriteFile(p.manifestPath(), []byte(manifest), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p *project) statusDir(module string) string {
	return filepath.Join(p.dir, "status", module)
}

// helperModule is a manifest block running the test binary as helper role.
func helperModule(name, role string, extra ...string) string {
	return helperModuleEnv(name, role, nil, extra...)
}

// helperModuleEnv is helperModule with more environment variables.
func helperModuleEnv(name, role string, env map[string]string, extra ...string) string {
	exe, _ := os.Executable()
	vars := fmt.Sprintf("%s = %q", testkit.RoleEnv, role)
	for _, k := range slices.Sorted(maps.Keys(env)) {
		vars += fmt.Sprintf(", %s = %q", k, env[k])
	}
	return fmt.Sprintf("module %q {\n  command = [%q]\n  env = { %s }\n  %s\n}\n",
		name, exe, vars, strings.Join(extra, "\n  "))
}

// svman is a running `svman up` (the test binary in the svman role).
type svman struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

// start runs svman with args in the project directory.
func (p *project) start(args ...string) *svman {
	p.t.Helper()
	out := &syncBuffer{}
	return p.startCmd(out, func(cmd *exec.Cmd) { cmd.Stdout, cmd.Stderr = out, out }, nil, args...)
}

// startCmd runs svman with args in the project directory; prepare sets the
// command's output (kept in out) and what else it needs, started (if set) runs
// once the process is started.
func (p *project) startCmd(out *syncBuffer, prepare func(*exec.Cmd), started func(), args ...string) *svman {
	p.t.Helper()
	cmd := newSvmanCmd(p.dir, args...)
	prepare(cmd)
	return runSvman(p.t, cmd, out, started)
}

// runSvman starts cmd, an svman whose output goes to out, and waits for it in
// the background; started (if set) runs once it is started. The test's end kills
// it if it still runs.
func runSvman(t *testing.T, cmd *exec.Cmd, out *syncBuffer, started func()) *svman {
	t.Helper()
	s := &svman{t: t, cmd: cmd, out: out, done: make(chan struct{})}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if started != nil {
		started()
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		if !s.exited() {
			s.cmd.Process.Kill()
			<-s.done
		}
	})
	return s
}

// newSvmanCmd is the test binary as svman, run in dir.
func newSvmanCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), testkit.RoleEnv+"="+svmanRole, "NO_COLOR=1")
	return cmd
}

// up starts `svman up` and waits until it says it is supervising.
func (p *project) up() *svman {
	p.t.Helper()
	s := p.start("up", "-f", p.manifestPath())
	s.waitOutput(`supervising \d+ module`)
	return s
}

func (s *svman) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// waitOutput waits until svman's output matches re, and returns the first match's groups.
func (s *svman) waitOutput(re string) []string {
	s.t.Helper()
	rx := regexp.MustCompile(re)
	var m []string
	defer func() {
		if m == nil && !s.exited() { // timed out: show the output as it is now
			s.t.Logf("svman's output when the wait for %q ended:\n%s", re, s.out)
		}
	}()
	testkit.WaitFor(s.t, fmt.Sprintf("output matching %q", re), func() bool {
		m = rx.FindStringSubmatch(s.out.String())
		return m != nil || s.exited()
	})
	if m == nil {
		s.t.Fatalf("svman exited (%v) before printing %q; output:\n%s", s.err, re, s.out)
	}
	return m
}

// stop sends SIGTERM and waits for svman to exit, returning its exit code.
func (s *svman) stop() int {
	s.t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	return s.wait()
}

func (s *svman) wait() int {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(testkit.Deadline):
		s.t.Fatalf("svman did not exit; output:\n%s", s.out)
	}
	return s.cmd.ProcessState.ExitCode()
}

// status reads a module's status file.
func (p *project) status(module string) statusfs.Status {
	p.t.Helper()
	st, err := statusfs.ReadStatus(p.statusDir(module))
	if err != nil {
		p.t.Fatal(err)
	}
	return st
}

// waitPID waits until the module's status shows a live pid other than not, and returns it.
func (p *project) waitPID(module string, not int) int {
	p.t.Helper()
	var pid int
	testkit.WaitFor(p.t, module+" to have a live pid other than "+fmt.Sprint(not), func() bool {
		st, err := statusfs.ReadStatus(p.statusDir(module))
		pid = st.PID
		return err == nil && pid != 0 && pid != not && pidAlive(pid)
	})
	return pid
}

// sh runs a shell command line in the project directory, as a legacy script would.
func (p *project) sh(script string) string {
	p.t.Helper()
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Dir = p.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		p.t.Fatalf("%s: %v\n%s", script, err, out)
	}
	return string(out)
}

// runArgs runs svman in-process with exactly args.
func (p *project) runArgs(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// svmanCmd runs a one-shot svman command (status, ctl, check) in-process on the
// project's manifest and returns its exit code and output.
func (p *project) svmanCmd(verb string, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	args = append([]string{verb, "-f", p.manifestPath()}, args...)
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// svmanProcess runs `svman verb -f MANIFEST args...` as a process of its own,
// in the project directory with env added to its environment, to its end, and
// returns its exit code and output. A command that forks and reaps children
// (alarm's hooks, probe's exec probes) runs so: its reaper must not take the
// exits of the children this test process waits for.
func (p *project) svmanProcess(env []string, verb string, args ...string) (int, string, string) {
	p.t.Helper()
	return p.process(env, append([]string{verb, "-f", p.manifestPath()}, args...)...)
}

// process runs svman with exactly args as its own process, in the project
// directory with env added to its environment, and returns its exit code
// and output.
func (p *project) process(env []string, args ...string) (int, string, string) {
	p.t.Helper()
	cmd := newSvmanCmd(p.dir, args...)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		p.t.Fatalf("svman %q: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}
