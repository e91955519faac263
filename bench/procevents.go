package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// The kernel's process events connector (linux/cn_proc.h) reports every exec and
// exit on the machine with a CLOCK_MONOTONIC timestamp taken in the kernel. That is
// how the harness times "the replacement has exec'd" for every peer alike, without
// polling /proc and without changing what the peers run. It needs CAP_NET_ADMIN.
const (
	cnIdxProc       = 1
	cnValProc       = 1
	procCnMcastOn   = 1
	procCnMcastOff  = 2
	procEventExec   = 0x00000002
	procEventExit   = 0x80000000
	nlmsgHdrLen     = 16
	cnMsgLen        = 20
	procEventHdrLen = 16 // what, cpu, timestamp_ns
)

// procEvent is one exec or exit: the process, and when (monotonic ns).
type procEvent struct {
	exec bool
	pid  int
	at   int64
}

// procEvents listens to the proc connector and hands each exec and exit to a
// callback. Its one goroutine is stopped by close.
type procEvents struct {
	fd       int
	done     chan struct{}
	once     sync.Once
	stopping atomic.Bool
}

// listenProcEvents subscribes to exec and exit events and calls handle for each,
// from one goroutine, until close.
func listenProcEvents(handle func(procEvent)) (*procEvents, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_CONNECTOR)
	if err != nil {
		return nil, fmt.Errorf("proc connector: %w", err)
	}
	// Thousands of modules starting at once make bursts of events: a large
	// receive buffer keeps the kernel from dropping them (ENOBUFS).
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 64<<20)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: cnIdxProc, Pid: 0}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("proc connector: bind: %w", err)
	}
	if err := sendMcast(fd, procCnMcastOn); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("proc connector: subscribe (needs root): %w", err)
	}
	// A receive timeout lets the reader notice close: shutdown does not wake a
	// blocked netlink receive.
	tv := unix.NsecToTimeval(int64(100 * time.Millisecond))
	_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	p := &procEvents{fd: fd, done: make(chan struct{})}
	go p.read(handle)
	return p, nil
}

func sendMcast(fd int, op uint32) error {
	b := make([]byte, nlmsgHdrLen+cnMsgLen+4)
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(len(b)))
	le.PutUint16(b[4:], unix.NLMSG_DONE)
	le.PutUint32(b[12:], uint32(os.Getpid()))
	le.PutUint32(b[16:], cnIdxProc)
	le.PutUint32(b[20:], cnValProc)
	le.PutUint16(b[32:], 4)
	le.PutUint32(b[36:], op)
	return unix.Sendto(fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: cnIdxProc, Pid: 0})
}

func (p *procEvents) read(handle func(procEvent)) {
	defer close(p.done)
	buf := make([]byte, 1<<16)
	le := binary.LittleEndian
	for {
		n, _, err := unix.Recvfrom(p.fd, buf, 0)
		if err == unix.EINTR || err == unix.EAGAIN {
			if p.stopping.Load() {
				return
			}
			continue
		}
		if err == unix.ENOBUFS {
			fmt.Fprintln(os.Stderr, "bench: proc connector dropped events (ENOBUFS)")
			continue
		}
		if err != nil || n == 0 || p.stopping.Load() {
			return
		}
		for b := buf[:n]; len(b) >= nlmsgHdrLen; {
			l := int(le.Uint32(b[0:]))
			if l < nlmsgHdrLen || l > len(b) {
				break
			}
			msg := b[nlmsgHdrLen:l]
			if len(msg) >= cnMsgLen+procEventHdrLen+8 {
				ev := msg[cnMsgLen:]
				what := le.Uint32(ev[0:])
				at := int64(le.Uint64(ev[8:]))
				pid := int(le.Uint32(ev[procEventHdrLen+4:])) // process_tgid
				switch what {
				case procEventExec:
					handle(procEvent{exec: true, pid: pid, at: at})
				case procEventExit:
					if int(le.Uint32(ev[procEventHdrLen:])) == pid { // the whole process, not a thread
						handle(procEvent{pid: pid, at: at})
					}
				}
			}
			b = b[(l+3)&^3:]
		}
	}
}

// close unsubscribes and waits for the reading goroutine to end.
func (p *procEvents) close() {
	p.once.Do(func() {
		_ = sendMcast(p.fd, procCnMcastOff)
		p.stopping.Store(true)
		<-p.done
		unix.Close(p.fd)
	})
}

// monotonicNow is CLOCK_MONOTONIC in ns, the clock of the proc connector's stamps.
func monotonicNow() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}
