package sdnotify

import (
	"fmt"
	"net"
	"time"
)

// sendTimeout bounds how long Send waits for room in a service manager's
// socket: one that does not read must not hold svman up.
const sendTimeout = 2 * time.Second

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
