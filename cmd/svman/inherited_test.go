package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"svman/internal/testkit"

	"golang.org/x/sys/unix"
)

// strayPipe is a pipe handed to svman at descriptors 3 and 12 without
// close-on-exec, as a shell that started it may leave one. Its write end is what
// no child of svman may hold.
type strayPipe struct {
	r, w  *os.File
	inode string // "pipe:[N]", as /proc/PID/fd/N links to it
}

func newStrayPipe(t *testing.T) *strayPipe {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	link, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", w.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	return &strayPipe{r: r, w: w, inode: link}
}

// inherit makes cmd start with the pipe's write end at descriptors 3 and 12.
func (p *strayPipe) inherit(cmd *exec.Cmd) {
	cmd.ExtraFiles = make([]*os.File, 10)
	cmd.ExtraFiles[0], cmd.ExtraFiles[9] = p.w, p.w
}

// holds reports whether process pid has the pipe open.
func (p *strayPipe) holds(pid int) bool {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	names, _ := os.ReadDir(dir)
	for _, n := range names {
		if link, _ := os.Readlink(filepath.Join(dir, n.Name())); link == p.inode {
			return true
		}
	}
	return false
}

// assertOnlyStdio fails unless process pid comes to have exactly descriptors 0,
// 1 and 2. It waits for that: a program that has just been exec'd holds, for a
// moment, the libraries its dynamic loader maps; what it inherited it keeps.
func assertOnlyStdio(t *testing.T, what string, pid int) {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	var fds []string
	var err error
	if testkit.Poll(func() bool {
		var ents []os.DirEntry
		ents, err = os.ReadDir(dir)
		fds = fds[:0]
		for _, e := range ents {
			link, _ := os.Readlink(filepath.Join(dir, e.Name()))
			fds = append(fds, e.Name()+" -> "+link)
		}
		return err == nil && len(ents) == 3 && slices.ContainsFunc(ents, func(e os.DirEntry) bool { return e.Name() == "0" }) &&
			slices.ContainsFunc(ents, func(e os.DirEntry) bool { return e.Name() == "2" })
	}) {
		return
	}
	if err != nil {
		t.Fatalf("%s (pid %d): %v", what, pid, err)
	}
	t.Errorf("%s (pid %d) has descriptors %q, want exactly 0, 1 and 2", what, pid, fds)
}

// waitSleep waits until a child of parent runs `sleep SECONDS ...`, and returns
// its pid; the test kills it when it ends. A sleep has no descriptor of its own
// (a shell may keep one it saved for a redirection): what it has, it was given.
func waitSleep(t *testing.T, parent int, seconds string) int {
	t.Helper()
	var pid int
	testkit.WaitFor(t, fmt.Sprintf("a child of %d to run sleep %s", parent, seconds), func() bool {
		procs, _ := os.ReadDir("/proc")
		for _, e := range procs {
			n, err := strconv.Atoi(e.Name())
			if err != nil || parentOf(n) != parent {
				continue
			}
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", n))
			if strings.HasPrefix(string(b), "sleep\x00"+seconds+"\x00") {
				pid = n
				return true
			}
		}
		return false
	})
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	return pid
}

// A descriptor svman inherited reaches none of its children: a module, an
// on_exit hook and an alarm's exec each have exactly stdin, stdout and stderr.
func TestInheritedDescriptorsStayWithSvman(t *testing.T) {
	p := newProject(t, `
module "plain" {
  command = ["sleep", "100000"]
}
module "crasher" {
  command = ["/bin/sh", "-c", "exit 3"]
  on_exit = ["sleep", "100002"]
  alarm {
    exec = ["sleep", "100001"]
  }
}
`)
	stray := newStrayPipe(t)
	out := &syncBuffer{}
	s := p.startCmd(out, func(cmd *exec.Cmd) {
		cmd.Stdout, cmd.Stderr = out, out
		stray.inherit(cmd)
	}, nil, "up", "-f", p.manifestPath())
	s.waitOutput(`supervising \d+ module`)
	if !stray.holds(s.cmd.Process.Pid) {
		t.Fatal("svman does not hold the pipe it was given: the test would prove nothing")
	}
	sv := s.cmd.Process.Pid
	children := map[string]int{
		"module":     p.waitPID("plain", 0),
		"on_exit":    waitSleep(t, sv, "100002"),
		"alarm exec": waitSleep(t, sv, "100001"),
	}
	for what, pid := range children {
		assertOnlyStdio(t, what, pid)
		syscall.Kill(pid, syscall.SIGKILL) // the hook would hold up the stop
	}
	s.stop()
}

// The same holds for `svman supervise`: in the foreground, its module and its -r
// hook; detached, the supervisor itself lets go of what it inherited.
func TestSuperviseInheritedDescriptors(t *testing.T) {
	w := newLegacyWorld(t)
	stray := newStrayPipe(t)

	out := &syncBuffer{}
	cmd := exec.Command(filepath.Join(w.dir, superviseName), "--foreground", "-r", "exec sleep 100002",
		"-u", "status/fg", "sleep", "100000")
	cmd.Dir, cmd.Env = w.dir, w.env
	cmd.Stdout, cmd.Stderr = out, out
	stray.inherit(cmd)
	sv := runSvman(t, cmd, out, nil)
	mod := waitSleep(t, sv.cmd.Process.Pid, "100000")
	assertOnlyStdio(t, "supervise --foreground's module", mod)
	w.mustSh(`echo k > status/fg/control`)
	hook := waitSleep(t, sv.cmd.Process.Pid, "100002")
	assertOnlyStdio(t, "supervise --foreground's -r hook", hook)
	syscall.Kill(hook, syscall.SIGKILL)

	detached := exec.Command(filepath.Join(w.dir, superviseName), "-p", "status/bg", "-f", "sleep 100000")
	detached.Dir, detached.Env = w.dir, w.env
	stray.inherit(detached)
	if out, err := detached.CombinedOutput(); err != nil {
		t.Fatalf("supervise: %v\n%s", err, out)
	}
	bg := w.shPID(`od -An -j16 -N4 -tu4 status/bg/status`, 0)
	assertOnlyStdio(t, "detached supervise's module", bg)
	if pid, ok := w.supervisor("status/bg"); !ok || stray.holds(pid) {
		t.Errorf("the detached supervisor (pid %d, holding the lock: %v) holds the pipe its starter inherited", pid, ok)
	}
}

// Each way closeInheritedOnExec has of marking descriptors marks one that was
// inherited without close-on-exec: close_range where the kernel has it, and the
// fallbacks for where it has not.
func TestCloexecWays(t *testing.T) {
	for name, mark := range map[string]func() error{
		"closeInheritedOnExec": closeInheritedOnExec,
		"cloexecListed":        cloexecListed,
		"cloexecBelowLimit":    cloexecBelowLimit,
	} {
		t.Run(name, func(t *testing.T) {
			stray := newStrayPipe(t)
			fd := int(stray.w.Fd())
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0); err != nil {
				t.Fatal(err)
			}
			if err := mark(); err != nil {
				t.Fatal(err)
			}
			if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || flags&unix.FD_CLOEXEC == 0 {
				t.Errorf("descriptor %d: flags %#x (%v), want FD_CLOEXEC", fd, flags, err)
			}
		})
	}
}
