package sdnotify

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"syscall"
)

// maxPassedFDs is how many descriptors a datagram may carry (FDSTORE=1) that
// the socket still receives, only to close them: svman keeps none.
const maxPassedFDs = 16

// Socket is a notify socket in the abstract namespace: a child of any user can
// send to it, and nothing lands on disk. One goroutine, which Close ends, reads
// its datagrams.
type Socket struct {
	conn *net.UnixConn
	addr string
	done chan struct{} // closed when the reading goroutine has returned
}

// Listen opens a notify socket and hands every datagram it receives to
// deliver, parsed, with the sender's pid and uid as the kernel tells them
// (SO_PASSCRED): deliver decides whose messages count. A datagram without
// credentials, or larger than MaxMessage, is dropped; descriptors passed
// along with one are closed. deliver is called from the socket's goroutine,
// one message at a time, and must not block: the socket is not read
// meanwhile.
func Listen(deliver func(Message)) (*Socket, error) {
	var nonce [8]byte
	_, _ = rand.Read(nonce[:]) // never fails (crypto/rand)
	addr := fmt.Sprintf("@svman/notify/%d/%s", os.Getpid(), hex.EncodeToString(nonce[:]))
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return nil, fmt.Errorf("notify socket: %w", err)
	}
	if err := passCredentials(conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("notify socket: SO_PASSCRED: %w", err)
	}
	s := &Socket{conn: conn, addr: addr, done: make(chan struct{})}
	go s.read(deliver)
	return s, nil
}

// Addr is the socket's address as NOTIFY_SOCKET gives it to a child: "@" and
// its name in the abstract namespace.
func (s *Socket) Addr() string { return s.addr }

// Close closes the socket and returns once its goroutine has ended: deliver is
// not called after Close.
func (s *Socket) Close() error {
	err := s.conn.Close()
	<-s.done
	return err
}

func passCredentials(conn *net.UnixConn) error {
	raw, err := conn.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PASSCRED, 1)
	}); err != nil {
		return err
	}
	return serr
}

// read is the socket's goroutine: it ends when the socket is closed (or
// cannot be read any more).
func (s *Socket) read(deliver func(Message)) {
	defer close(s.done)
	buf := make([]byte, MaxMessage+1) // one byte more: a datagram that fills it is too large
	oob := make([]byte, syscall.CmsgSpace(syscall.SizeofUcred)+syscall.CmsgSpace(4*maxPassedFDs))
	for {
		n, oobn, flags, _, err := s.conn.ReadMsgUnix(buf, oob)
		if err != nil {
			return // closed; a datagram socket has no other error to wait out
		}
		cred := credentials(oob[:oobn])
		if cred == nil || n > MaxMessage || flags&syscall.MSG_TRUNC != 0 {
			continue
		}
		m := Parse(buf[:n])
		m.PID, m.UID = int(cred.Pid), int(cred.Uid)
		deliver(m)
	}
}

// credentials returns the sender's credentials among the control messages b,
// or nil, and closes every descriptor passed in them.
func credentials(b []byte) *syscall.Ucred {
	msgs, err := syscall.ParseSocketControlMessage(b)
	if err != nil {
		return nil
	}
	var cred *syscall.Ucred
	for _, m := range msgs {
		if m.Header.Level != syscall.SOL_SOCKET {
			continue
		}
		switch m.Header.Type {
		case syscall.SCM_CREDENTIALS:
			if c, err := syscall.ParseUnixCredentials(&m); err == nil {
				cred = c
			}
		case syscall.SCM_RIGHTS:
			if fds, err := syscall.ParseUnixRights(&m); err == nil {
				for _, fd := range fds {
					syscall.Close(fd)
				}
			}
		}
	}
	return cred
}
