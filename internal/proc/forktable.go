package proc

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Why the forking thread has a descriptor table of its own.
//
// A fork copies the forking thread's descriptor table, and the exec that follows
// closes every close-on-exec descriptor in the copy, one by one. svman holds about
// five descriptors per module (its status directory's lock and FIFOs, the output
// pipes), so with one shared table every fork would cost O(N): 1000 modules would
// start in O(N²). Instead, each of the reaper's forking threads (forker.go: the
// parents of every child) calls unshare(CLONE_FILES) once and closes, in its now
// private copy of the table, everything but:
//
//   - descriptors 0, 1 and 2, where the runtime writes a crash report;
//   - the Go runtime's own descriptors (its epoll instance and its eventfd, which
//     the runtime may use from any thread: they are the same open files in both
//     tables), kept by kind since the runtime does not say which they are;
//   - the receiving end of a socket pair, through which each Spawn passes the
//     child's standard files (SCM_RIGHTS) from the shared table into this one.
//
// Each child is then forked from a table of about ten descriptors, whatever N,
// and svman stays the parent of every child (the threads belong to svman's
// process), so waiting, process groups and the parent-death signal are unchanged.
// The Go runtime never clones a new thread from a locked one (it asks its
// template thread), so no other goroutine ever runs with the private table.
//
// If the kernel refuses unshare (a seccomp filter), a forker forks from the
// shared table: slower with many modules, never wrong.

// forkTable is the forking thread's private descriptor table and the courier
// that brings descriptors into it.
type forkTable struct {
	send int // the shared table's end: Spawn sends the child's files here
	recv int // the private table's end (before isolate: in both tables)
	// private is set once isolate succeeded; the thread then forks from its own
	// table, and the shared table no longer holds recv.
	private bool
	listing int // isolate's /proc directory descriptor, -1 if none
}

// newForkTable makes the courier socket pair; isolate, on the forking thread,
// makes the table private.
func newForkTable() (*forkTable, error) {
	// The Go runtime opens its poller's descriptors on first use: open them
	// now, so that they are in the table isolate copies.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	r.Close()
	w.Close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("socketpair", err)
	}
	return &forkTable{send: fds[0], recv: fds[1], listing: -1}, nil
}

// isolate gives the calling thread (locked, never unlocked) a private copy of the
// descriptor table and closes in it what the children must not inherit. It
// returns why it could not; the thread then forks from the shared table. It must
// be called once, before the first fork. (Closing a copy of a descriptor would
// drop the process's POSIX record locks on its file; svman takes none, only
// flock locks, which belong to the open file and stay.)
func (t *forkTable) isolate() error {
	// The list of descriptors comes from /proc: without it, the table could
	// not be emptied, so it is not made private.
	dir, err := unix.Open("/proc/thread-self/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("open /proc/thread-self/fd", err)
	}
	t.listing = dir // in the shared table too: closeShared closes that copy
	if err := unix.Unshare(unix.CLONE_FILES); err != nil {
		return os.NewSyscallError("unshare(CLONE_FILES)", err)
	}
	t.private = true
	// The directory was opened before the table was copied; it lists the
	// thread's table as it is when read, the private one.
	fds, err := listDescriptors(dir)
	if err != nil {
		// Private, but still holding copies of what svman had open: forks
		// work, and those files stay open until svman exits.
		return err
	}
	for _, fd := range fds {
		if fd <= 2 || fd == t.recv || runtimeDescriptor(fd) {
			continue
		}
		unix.Close(fd) // the listing's own copy included
	}
	return nil
}

// closeShared closes, in the shared table, what isolate no longer needs
// there once it has run on the forking thread: the listing's descriptor and,
// when the thread has its own table (holding its own copy), the receiving end.
func (t *forkTable) closeShared() {
	if t.listing >= 0 {
		unix.Close(t.listing)
	}
	if t.private {
		unix.Close(t.recv)
	}
}

// listDescriptors lists the descriptors in dir, a /proc fd directory, with raw
// system calls: an *os.File here could be closed by a finalizer on another
// thread, in the other table.
func listDescriptors(dir int) ([]int, error) {
	var fds []int
	buf := make([]byte, 4096)
	for {
		n, err := unix.ReadDirent(dir, buf)
		if err != nil {
			return nil, os.NewSyscallError("getdents /proc/thread-self/fd", err)
		}
		if n == 0 {
			return fds, nil
		}
		_, _, names := syscall.ParseDirent(buf[:n], -1, nil)
		for _, name := range names {
			if fd, err := strconv.Atoi(name); err == nil {
				fds = append(fds, fd)
			}
		}
	}
}

// runtimeDescriptor reports whether fd is of a kind the Go runtime opens for
// itself (an epoll instance, an eventfd, a timerfd), which must stay open in
// every table.
func runtimeDescriptor(fd int) bool {
	buf := make([]byte, 64)
	n, err := unix.Readlinkat(unix.AT_FDCWD, "/proc/thread-self/fd/"+strconv.Itoa(fd), buf)
	if err != nil {
		return true // cannot tell: keeping it is safe, closing it may not be
	}
	switch link := string(buf[:n]); {
	case strings.HasPrefix(link, "anon_inode:[eventpoll]"),
		strings.HasPrefix(link, "anon_inode:[eventfd]"),
		strings.HasPrefix(link, "anon_inode:[timerfd]"):
		return true
	}
	return false
}

// pass sends files through the courier, from the calling goroutine's (shared)
// table. The forking thread receives them with take: a forker serves one Spawn
// at a time, so the files it takes are those of the request it serves.
func (t *forkTable) pass(files []int) error {
	rights := unix.UnixRights(files...)
	for {
		err := unix.Sendmsg(t.send, []byte{0}, rights, nil, 0)
		if err != unix.EINTR {
			if err != nil {
				return os.NewSyscallError("sendmsg", err)
			}
			return nil
		}
	}
}

// take receives the n files the last pass sent, as descriptors of the forking
// thread's table (close-on-exec: the child gets its copies by dup2). The caller
// closes them.
func (t *forkTable) take(n int) ([]int, error) {
	oob := make([]byte, unix.CmsgSpace(n*4))
	var oobn int
	var err error
	for {
		_, oobn, _, _, err = unix.Recvmsg(t.recv, make([]byte, 1), oob, unix.MSG_DONTWAIT|unix.MSG_CMSG_CLOEXEC)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return nil, os.NewSyscallError("recvmsg", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, os.NewSyscallError("recvmsg", err)
	}
	var fds []int
	for _, m := range msgs {
		got, err := unix.ParseUnixRights(&m)
		if err != nil {
			return nil, os.NewSyscallError("recvmsg", err)
		}
		fds = append(fds, got...)
	}
	if len(fds) != n {
		closeAll(fds)
		return nil, fmt.Errorf("recvmsg: %d descriptors received, %d sent", len(fds), n)
	}
	return fds, nil
}

func closeAll(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// close closes the shared table's end, once the forking thread has exited
// (taking its private table, and the receiving end in it, with it).
func (t *forkTable) close() {
	unix.Close(t.send)
	if !t.private {
		unix.Close(t.recv)
	}
}
