package main

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// growPipe enlarges the pipe w is, if it is one (svman up | tee, a log shipper),
// from 64 KiB to 1 MiB, the most an unprivileged process may ask for by default
// (/proc/sys/fs/pipe-max-size). With 64 KiB, every few hundred lines svman's
// writer blocked until the reader woke up; with 1 MiB a burst waits in the pipe
// and the modules write on. Where the size cannot be had, the pipe stays as it is.
func growPipe(w io.Writer) {
	f, ok := w.(*os.File)
	if !ok {
		return
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return
	}
	if rc, err := f.SyscallConn(); err == nil { // not f.Fd(): it makes the file blocking
		_ = rc.Control(func(fd uintptr) { _, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, 1<<20) })
	}
}
