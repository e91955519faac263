package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/statusfs"
)

// crashModules and crashRounds: how many modules svman stops, and how many
// stops are cut short by a SIGKILL.
const (
	crashModules = 40
	crashRounds  = 12
)

// svman killed at any point of a graceful stop leaves every module's status
// whole and true, and state.json valid wherever it is.
//
// Each round starts svman on the same modules, asks it to stop (SIGTERM), and
// SIGKILLs it once a randomly chosen number of modules (0 to all) has its last
// status written, at a random pause after that. On the way to that point, and
// after the kill, it reads every module's files while svman is frozen
// (SIGSTOP): a process stopped by a signal, like one killed by SIGKILL, is
// stopped between its system calls, never within a write of a page, so what
// the files hold while it is stopped is what a SIGKILL at that moment would
// leave. Many such moments per round are many crash points.
//
// What the files must hold at every one of them:
//
//   - status: exactly 20 bytes that statusfs.ReadStatus decodes, and one of the
//     versions svman wrote: the one it had when asked to stop, or a status of
//     the module down (pid 0, want d) stamped later than that one. A mix of
//     two versions is neither (their stamps, want and pid differ).
//   - status is never stale. Stale: it names a pid (bytes 16..19) other than
//     0 and other than the last process svman started for the module. A legacy
//     script reads that pid after the crash (`od -An -j16 -N4 -tu4 status`) to
//     signal the module or to tell that it runs: any other pid is a process svman
//     had already reaped, a number the kernel may have given to anything since,
//     or one that never existed (the bytes of two versions mixed), and the script
//     would signal or trust a stranger. The last pid started is what the module
//     ran when svman died, whose process dies with svman; the next svman checks
//     it against the stamp before it acts on it, as the legacy supervise's
//     users did after any crash.
//   - state.json, if it is there: what statusfs.ReadState accepts (whole JSON,
//     a known state).
func TestKilledDuringShutdownLeavesWholeStatus(t *testing.T) {
	names := make([]string, crashModules)
	var manifest strings.Builder
	for i := range names {
		names[i] = fmt.Sprintf("m%02d", i)
		fmt.Fprintf(&manifest, "module %q {\n  command = [\"sleep\", \"1000\"]\n}\n", names[i])
	}
	p := newProject(t, manifest.String())
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for round := range crashRounds {
		s := p.up()
		started := map[string][]byte{} // each module's status as the stop found it
		for _, name := range names {
			p.waitPID(name, 0)
			b, err := os.ReadFile(filepath.Join(p.statusDir(name), "status"))
			if err != nil {
				t.Fatal(err)
			}
			started[name] = b
		}
		target := rng.IntN(crashModules + 1) // modules down when the kill comes
		killed, points := false, 0
		s.cmd.Process.Signal(syscall.SIGTERM)
		for !killed {
			// A random point of the stop, a few system calls of svman apart.
			time.Sleep(time.Duration(rng.IntN(300)) * time.Microsecond)
			if !freeze(t, s) {
				break // the stop ended before the kill point: the files are checked below
			}
			points++
			if down := checkCrashPoint(t, p, names, started); down >= target {
				s.cmd.Process.Kill() // frozen: it dies where it stands
				killed = true
			} else {
				s.cmd.Process.Signal(syscall.SIGCONT)
			}
		}
		s.wait()
		checkCrashPoint(t, p, names, started)
		if t.Failed() {
			t.Fatalf("round %d (kill with %d modules down, killed: %v, %d points): svman's output:\n%s", round, target, killed, points, s.out)
		}
	}
}

// freeze stops svman with SIGSTOP and waits until each of its threads is
// stopped; it reports false if svman has exited instead.
func freeze(t *testing.T, s *svman) bool {
	t.Helper()
	if s.exited() {
		return false
	}
	pid := s.cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		return false
	}
	end := time.Now().Add(testkit.Deadline)
	for !s.exited() {
		if stopped, gone := threadsStopped(pid); stopped || gone {
			return stopped
		}
		if time.Now().After(end) {
			t.Fatalf("svman (pid %d) did not stop at SIGSTOP", pid)
		}
		time.Sleep(10 * time.Microsecond)
	}
	return false
}

// threadsStopped reports whether every thread of pid is stopped by a signal
// (or exiting), and whether pid is gone or a zombie.
func threadsStopped(pid int) (stopped, gone bool) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil || len(tasks) == 0 {
		return false, true
	}
	for _, task := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, task.Name()))
		if err != nil {
			continue // the thread has exited
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 || i+2 >= len(b) {
			return false, false
		}
		switch b[i+2] {
		case 'T', 't', 'Z', 'X':
		default:
			return false, false
		}
	}
	return true, false
}

// checkCrashPoint checks the files of every module as they are now, against
// the status each had when the stop began (see TestKilledDuringShutdownLeavesWholeStatus),
// and returns how many modules' status says they are down.
func checkCrashPoint(t *testing.T, p *project, names []string, started map[string][]byte) (down int) {
	t.Helper()
	for _, name := range names {
		dir := p.statusDir(name)
		st, err := statusfs.ReadStatus(dir)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		b := st.Encode()
		was, _ := statusfs.Decode(started[name])
		switch {
		case bytes.Equal(b[:], started[name]):
		case st.PID != 0 && st.PID != was.PID:
			t.Errorf("%s: status names pid %d, not the last one svman started (%d): stale", name, st.PID, was.PID)
		case st.PID != 0:
			t.Errorf("%s: status %+v names the last pid, but is not the status svman wrote for it (%+v)", name, st, was)
		case st.Want != statusfs.WantDown || !st.Changed.After(was.Changed) || st.Paused || st.AlarmsOn != was.AlarmsOn:
			t.Errorf("%s: status %+v is neither the one of the start (%+v) nor a later one of the module down", name, st, was)
		default:
			down++
		}
		if _, err := statusfs.ReadState(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v", name, err)
		}
	}
	return down
}
