package proc

import (
	"bytes"
	"fmt"
	"os"
)

// maxNotifyFD bounds Spec.NotifyFD: the descriptors below it are closed in the
// child one by one.
const maxNotifyFD = 1023

// checkNotifyFD refuses a notification descriptor that is one of the standard
// three or beyond maxNotifyFD; 0 is none.
func checkNotifyFD(fd int) error {
	if fd != 0 && (fd < 3 || fd > maxNotifyFD) {
		return fmt.Errorf("notification fd %d: must be from 3 to %d", fd, maxNotifyFD)
	}
	return nil
}

// watchNotification reads r, the read end of a child's notification pipe, on a
// goroutine of its own that owns r, and returns a channel closed once a newline
// has come. The goroutine ends, closing r, at that newline (the child's later
// writes to the pipe fail: it has said what it had to say) or at end of file,
// when every process holding the write end has exited or closed it, in which
// case the channel stays open.
func watchNotification(r *os.File) <-chan struct{} {
	notified := make(chan struct{})
	go func() {
		defer r.Close()
		buf := make([]byte, 64)
		for {
			n, err := r.Read(buf)
			if bytes.IndexByte(buf[:n], '\n') >= 0 {
				close(notified)
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return notified
}
