package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
)

// svman keeps supervising when its console goes away (`svman up | head`): the write
// fails, svman does not die, and the module's output still reaches its log file.
func TestClosedConsoleKeepsSupervising(t *testing.T) {
	p := newProject(t, helperModule("app", "sleeper", `restart { delay = "0s" }`))
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := newSvmanCmd(p.dir, "up", "-f", p.manifestPath())
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	var waitErr error
	done := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	pid := p.waitPID("app", 0)
	logged := func(n int) func() bool {
		return func() bool {
			b, _ := os.ReadFile(filepath.Join(p.statusDir("app"), "__stdout"))
			return strings.Count(string(b), "ready pid=") >= n
		}
	}
	testkit.WaitFor(t, "the first child's output in its log file", logged(1))
	r.Close() // the reader goes away, as head does

	syscall.Kill(pid, syscall.SIGKILL) // events to print, into a closed pipe
	p.waitPID("app", pid)
	testkit.WaitFor(t, "the new child's output in its log file", logged(2))
	// The console writes its lines after the status and the log files, from its
	// own goroutine: only svman's exit says that every write into the closed pipe
	// was made. Stopped with TERM, it must end as it always does, with 0.
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(testkit.Deadline):
		t.Fatal("svman did not exit after SIGTERM")
	}
	if waitErr != nil {
		t.Fatalf("svman, its console gone, ended with %v, want exit 0", waitErr)
	}
}
