package testkit

import (
	"fmt"
	"net"
	"os"
)

// ListenEnv is the TCP address ("127.0.0.1:PORT") the "listen" role listens on.
const ListenEnv = "SVMAN_TEST_LISTEN"

func init() {
	// listen listens on ListenEnv at once, says so, and accepts (and closes)
	// connections until it is killed: a service that is ready when its port is.
	roles["listen"] = func() {
		l, err := net.Listen("tcp", os.Getenv(ListenEnv))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("listening %s\n", l.Addr())
		for {
			c, err := l.Accept()
			if err != nil {
				os.Exit(1)
			}
			c.Close()
		}
	}
}

// FreePort returns a TCP address on the loopback that nothing listens on now.
func FreePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
