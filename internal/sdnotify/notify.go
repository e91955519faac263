package sdnotify

import (
	"fmt"
	"net"
	"os"
	"time"
)

// sendTimeout bounds how long Send waits for room in a service manager's
// socket: one that does not read must not hold svman up.
const sendTimeout = 2 * time.Second

// Notify sends state (such as "READY=1\nSTATUS=...") to the socket
// NOTIFY_SOCKET names: how svman tells the service manager that started it
// how it is doing. Without NOTIFY_SOCKET it does nothing and returns nil.
func Notify(state string) error {
	return Send(os.Getenv("NOTIFY_SOCKET"), state)
}

// Send sends state to the notify socket addr ("@name" in the abstract
// namespace, or an absolute path), as one datagram; an empty addr is no
// socket, and nothing is sent.
func Send(addr, state string) error {
	if addr == "" {
		return nil
	}
	if addr[0] != '@' && addr[0] != '/' {
		return fmt.Errorf("notify socket %q: not an abstract (@name) or absolute unix socket address", addr)
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("notify socket: %w", err)
	}
	defer conn.Close()
	_ = conn.SetWriteDeadline(time.Now().Add(sendTimeout))
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("notify socket %s: %w", addr, err)
	}
	return nil
}
