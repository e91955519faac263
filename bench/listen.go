package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"
)

// The ready-chain figure's modules are this binary, run as `bench listen MARKER
// PORT DIR`: it listens on 127.0.0.1:PORT at once, then writes the moment it
// began listening (CLOCK_MONOTONIC nanoseconds, the clock of the proc events) to
// DIR/listening.MARKER, and answers every connection as okServer does until it
// is stopped.
func listenMain(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("usage: bench listen MARKER PORT DIR")
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", args[1]))
	if err != nil {
		return err
	}
	at := monotonicNow()
	if err := os.WriteFile(listeningFile(args[2], args[0]), []byte(strconv.FormatInt(at, 10)), 0o644); err != nil {
		return err
	}
	return serveOK(ln, nil)
}

// listeningFile is where `bench listen MARKER PORT dir` writes when it listens.
func listeningFile(dir, marker string) string {
	return filepath.Join(dir, "listening."+marker)
}

// readListening waits up to timeout for a listener's file and returns the moment
// it wrote there.
func readListening(path string, timeout time.Duration) (int64, error) {
	deadline := time.Now().Add(timeout)
	for {
		b, err := os.ReadFile(path)
		if err == nil && len(b) > 0 {
			return strconv.ParseInt(string(b), 10, 64)
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s not written within %v", filepath.Base(path), timeout)
		}
		time.Sleep(time.Millisecond) // the file holds the time; polling only finds it
	}
}

// okResponse is what okServer answers: a whole HTTP response, so that an HTTP
// probe passes as well as a TCP one.
const okResponse = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

// serveOK accepts connections until ln is closed, counting them in accepted
// (unless nil); each gets okResponse once its peer has sent a request's head or
// closed its side (a TCP probe), then is closed. Reading first means the peer's
// request is never left unread, which would make the close a reset that an HTTP
// client may see before the response.
func serveOK(ln net.Listener, accepted *atomic.Int64) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		if accepted != nil {
			accepted.Add(1)
		}
		go answerOK(c)
	}
}

func answerOK(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			return // a TCP probe: it only connected
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			break // the blank line that ends a request's head
		}
	}
	_, _ = c.Write([]byte(okResponse))
}
