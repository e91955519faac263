package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A peer is one supervisor under test. Adding a peer is one file with one type
// that implements this and one line in peers().
type peer interface {
	// name is how the tables call it.
	name() string
	// setup finds the installed tool and says its version; an error says why the
	// peer is skipped.
	setup(env *benchEnv) (version string, err error)
	// configure writes the tool's configuration for mods into dir and says how to
	// run and control it.
	configure(env *benchEnv, dir string, mods []module) (*launch, error)
}

// isPeer says whether the tool named is a peer: neither one of svman's own
// rows (its console variants, svman (before)) nor the baseline.
func isPeer(name string) bool {
	return !strings.HasPrefix(name, "svman") && name != forkLoopName
}

// module is one supervised program, the same for every peer. The fields after
// argv are only set for a probingPeer.
type module struct {
	name string
	argv []string
	// after names the module this one depends on: it starts once that one is
	// ready.
	after string
	// readyTCP is the host:port the module is ready once it accepts on.
	readyTCP string
	// healthTCP is the host:port checked every healthEvery while the module
	// runs.
	healthTCP   string
	healthEvery time.Duration
}

// A probingPeer can start a module after another is ready and check a module's
// readiness and health on a TCP port: it writes module's after, readyTCP and
// healthTCP into its configuration.
type probingPeer interface {
	peer
	// readyState asks the running tool, configured in dir, whether module
	// name is ready.
	readyState(env *benchEnv, dir, name string) (bool, error)
	// probeNote says how the tool's configuration expresses the probes.
	probeNote() string
}

// launch is how one configured peer is run and controlled.
type launch struct {
	cmd *exec.Cmd
	// stop begins the tool's graceful stop of everything; nil means SIGTERM to
	// the tool's process.
	stop func(top *os.Process) error
	// logFiles, for a peer that writes module output to files, is their glob; empty
	// means the output is the tool's stdout.
	logFiles string
	// update, if the tool can reload its configuration while running, rewrites
	// the configuration for mods and makes the tool apply it.
	update func(mods []module) error
	// restarts is false for a tool that does not restart what dies.
	noRestart bool
}

// benchEnv is where the harness finds the tools.
type benchEnv struct {
	peers string // the folder install-peers.sh filled
	svman string // the svman binary under test
	// before, if set, is a second svman binary, measured as "svman (before)"
	before string
	self   string // this harness's binary, which also plays the modules of some figures and the baseline
	work   string // a scratch folder, one subfolder per run
	// versions of the installed peers, from install-peers.sh
	versions map[string]string
	// notifySocket, when a figure listens on one, is the NOTIFY_SOCKET svman
	// is given (a unix datagram socket's path).
	notifySocket string
}

// bin is the path of an installed peer's program.
func (e *benchEnv) bin(parts ...string) string {
	return filepath.Join(append([]string{e.peers}, parts...)...)
}

// instance is one running peer.
type instance struct {
	*launch
	p       peer
	dir     string
	t       *tracker
	exited  chan struct{} // closed once the tool's process is reaped
	started int64         // monotonic ns just before the tool was started
	stderr  *tailBuffer   // the end of what the tool wrote to stderr
}

// tailBuffer keeps the last bytes written to it, for saying why a tool failed.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > 2048 {
		b.buf = append(b.buf[:0:0], b.buf[len(b.buf)-1024:]...)
	}
	return len(p), nil
}

// last is the last line written, without its newline.
func (b *tailBuffer) last() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(b.buf)), "\n")
	return lines[len(lines)-1]
}

// start configures p for mods in a fresh folder and starts it.
func start(env *benchEnv, p peer, mods []module, t *tracker, stdout io.Writer) (*instance, error) {
	dir, err := os.MkdirTemp(env.work, p.name()+"-")
	if err != nil {
		return nil, err
	}
	l, err := p.configure(env, dir, mods)
	if err != nil {
		return nil, fmt.Errorf("%s: configure: %w", p.name(), err)
	}
	if l.cmd.Dir == "" {
		l.cmd.Dir = dir
	}
	if stdout == nil {
		stdout = io.Discard
	}
	l.cmd.Stdout = stdout
	tail := &tailBuffer{}
	if l.cmd.Stderr == nil {
		l.cmd.Stderr = tail
		if stdout != io.Discard {
			l.cmd.Stderr = io.MultiWriter(stdout, tail)
		}
	}
	// The tool leads its own process group, so that the cleanup can reach all
	// of it even when it has lost track of something.
	l.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in := &instance{launch: l, p: p, dir: dir, t: t, exited: make(chan struct{}), stderr: tail}
	in.started = monotonicNow()
	if err := l.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", p.name(), err)
	}
	go func() {
		_ = l.cmd.Wait()
		close(in.exited)
		t.toolExited()
	}()
	return in, nil
}

// pid is the tool's own process.
func (in *instance) pid() int { return in.cmd.Process.Pid }

// supervisors lists the supervising processes: the tool's process tree without
// the modules' processes.
func (in *instance) supervisors() []int {
	var out []int
	for _, pid := range descendants(in.pid()) {
		if !in.t.isModule(pid) && alive(pid) {
			out = append(out, pid)
		}
	}
	return out
}

// shutdown stops the tool gracefully and waits until every supervisor and
// module process has exited; it returns how long that took.
func (in *instance) shutdown(timeout time.Duration) (time.Duration, error) {
	pids := append(in.supervisors(), in.t.modulePids()...)
	t0 := monotonicNow()
	var err error
	if in.stop != nil {
		err = in.stop(in.cmd.Process)
	} else {
		err = in.cmd.Process.Signal(syscall.SIGTERM)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: stop: %w", in.p.name(), err)
	}
	last, ok := in.t.allExited(pids, timeout)
	if !ok {
		var left []string
		for _, pid := range pids {
			if alive(pid) {
				b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
				left = append(left, fmt.Sprintf("%d (%s)", pid, strings.ReplaceAll(strings.TrimRight(string(b), "\x00"), "\x00", " ")))
			}
		}
		return 0, fmt.Errorf("%v after the stop, still running: %s", timeout, strings.Join(left, ", "))
	}
	select {
	case <-in.exited:
	case <-time.After(timeout):
		return 0, fmt.Errorf("%s: its process had not exited %v after the stop", in.p.name(), timeout)
	}
	return time.Duration(last - t0), nil
}

// cleanup kills, by pid, whatever of the run is still there, and waits for the
// tool's process to be reaped.
func (in *instance) cleanup() {
	for range 2 {
		pids := in.t.modulePids()
		select {
		case <-in.exited: // its pid may be another process's now
		default:
			pids = append(pids, descendants(in.pid())...)
		}
		for _, pid := range pids {
			if alive(pid) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		_ = syscall.Kill(-in.pid(), syscall.SIGKILL)
	}
	select {
	case <-in.exited:
	case <-time.After(10 * time.Second):
		fmt.Fprintf(os.Stderr, "bench: %s (pid %d) was not reaped\n", in.p.name(), in.pid())
	}
}

// writeFile writes a configuration file, creating its folder.
func writeFile(path, content string, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), mode)
}
