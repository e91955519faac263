package fdwatch

import "syscall"

// ReadNow reads once from rc into p, without waiting in the runtime poller:
// the read for a caller that learns itself when a descriptor is readable (a
// Watcher). rerr is the read's own error (syscall.EAGAIN when there is nothing
// to read now; EINTR is retried); err is rc's (the file is closed).
func ReadNow(rc syscall.RawConn, p []byte) (n int, rerr, err error) {
	err = rc.Read(func(fd uintptr) bool {
		for {
			n, rerr = syscall.Read(int(fd), p)
			if rerr != syscall.EINTR {
				return true // one attempt: never wait in the poller
			}
		}
	})
	return n, rerr, err
}
