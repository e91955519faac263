package testkit

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

func init() {
	// notify-serve sends each of its arguments as one datagram to
	// NOTIFY_SOCKET, from its own pid, in order (an argument "--usr1" waits
	// for a SIGUSR1 instead), then runs until it is killed, sending
	// "STATUS=usr1-N" at the Nth SIGUSR1 after: a service that speaks
	// sd_notify from its main process.
	roles["notify-serve"] = func() {
		usr1 := make(chan os.Signal, 1)
		signal.Notify(usr1, syscall.SIGUSR1)
		conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: os.Getenv("NOTIFY_SOCKET"), Net: "unixgram"})
		if err != nil {
			fmt.Fprintln(os.Stderr, "notify-serve:", err)
			os.Exit(1)
		}
		send := func(msg string) {
			if _, err := conn.Write([]byte(msg)); err != nil {
				fmt.Fprintln(os.Stderr, "notify-serve:", err)
				os.Exit(1)
			}
		}
		for _, msg := range os.Args[1:] {
			if msg == "--usr1" {
				<-usr1
				continue
			}
			send(msg)
		}
		fmt.Println("notified")
		for n := 1; ; n++ {
			<-usr1
			send("STATUS=usr1-" + strconv.Itoa(n))
		}
	}
}
