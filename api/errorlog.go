package api

import (
	"log"
	"strconv"
	"strings"
	"sync"
	"time"
)

// errorLog is the net/http server's log (a failed TLS handshake, a client
// that broke a connection): to svman's console, at most once every
// refusalEvery, since any client that reaches the listener can cause one.
type errorLog struct {
	logf    func(format string, args ...any)
	mu      sync.Mutex // guards last and dropped
	last    time.Time
	dropped int
}

func newErrorLog(logf func(format string, args ...any)) *log.Logger {
	return log.New(&errorLog{logf: logf}, "", 0)
}

func (l *errorLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.last) < refusalEvery {
		l.dropped++
		return len(p), nil
	}
	more := ""
	if l.dropped > 0 {
		more = " (and " + strconv.Itoa(l.dropped) + " more since the last report)"
	}
	l.last, l.dropped = now, 0
	l.logf("control API: %s%s", strings.TrimSpace(string(p)), more)
	return len(p), nil
}
