package main

import (
	"math"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// closeInheritedOnExec marks every descriptor above stderr close-on-exec, at
// svman's start, before anything is forked. svman passes its children exactly
// the descriptors it means them to have (a module and its on_exit hook get
// stdin, stdout and stderr; an alarm's exec gets /dev/null on all three; the
// detached copy of `svman supervise` gets /dev/null too) and nothing else: a
// descriptor the shell or service manager that started svman left open would
// otherwise reach every one of them. The descriptors are marked, not closed:
// the Go runtime's own are close-on-exec already, and closing one under it
// would break it.
//
// It uses close_range(2) with CLOSE_RANGE_CLOEXEC (Linux 5.11), else marks each
// descriptor listed in /proc/self/fd, else each one below the open-files limit.
func closeInheritedOnExec() error {
	if unix.CloseRange(3, math.MaxUint32, unix.CLOSE_RANGE_CLOEXEC) == nil {
		return nil
	}
	if cloexecListed() == nil {
		return nil
	}
	return cloexecBelowLimit()
}

// cloexecListed marks each descriptor above stderr that /proc/self/fd lists.
func cloexecListed() error {
	d, err := os.Open("/proc/self/fd") // close-on-exec, and closed before return
	if err != nil {
		return err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return err
	}
	for _, name := range names {
		if fd, err := strconv.Atoi(name); err == nil && fd > 2 {
			setCloexec(fd) // the directory's own descriptor is closed by now: EBADF
		}
	}
	return nil
}

// cloexecBelowLimit marks each descriptor from 3 up to the open-files limit,
// for a system without close_range and without /proc.
func cloexecBelowLimit() error {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	for fd := uint64(3); fd < lim.Cur; fd++ {
		setCloexec(int(fd)) // most are not open: EBADF
	}
	return nil
}

// setCloexec sets FD_CLOEXEC on fd, keeping its other descriptor flags.
func setCloexec(fd int) {
	if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
		_, _ = unix.FcntlInt(uintptr(fd), unix.F_SETFD, flags|unix.FD_CLOEXEC)
	}
}
