package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// pty is a pseudo-terminal for a child's stdout: tests read what a terminal
// would be sent from out, every byte, until every holder of the terminal side
// has closed it.
type pty struct {
	term   *os.File      // the terminal side, for a child's stdout and stderr
	master *os.File      // the other side: what is written to it is typed at the terminal
	out    *syncBuffer   // what was written to the terminal
	done   chan struct{} // closed when the terminal side is closed everywhere
}

// openPTY opens a pty through /dev/ptmx (no cgo, no library) and starts copying
// what it is sent into out. Cleanup closes both sides.
func openPTY(t *testing.T) *pty {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		t.Fatalf("ptsname: %v", err)
	}
	term, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		t.Fatalf("open the terminal side: %v", err)
	}
	p := &pty{term: term, master: master, out: &syncBuffer{}, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		_, err := io.Copy(p.out, master)
		if err != nil && !errors.Is(err, syscall.EIO) && !errors.Is(err, os.ErrClosed) {
			t.Errorf("reading the pty: %v", err)
		}
	}()
	t.Cleanup(func() {
		term.Close()
		master.Close()
		<-p.done
	})
	return p
}

// closeTerm closes the test's own copy of the terminal side, once a child that
// writes to it holds its own.
func (p *pty) closeTerm() { p.term.Close() }

// typeIn types s at the terminal, as a user at its keyboard: the terminal's
// line discipline echoes it, and turns its intr character (Ctrl-C) into a
// SIGINT to the terminal's foreground process group.
func (p *pty) typeIn(t *testing.T, s string) {
	t.Helper()
	if _, err := p.master.WriteString(s); err != nil {
		t.Fatalf("typing %q at the terminal: %v", s, err)
	}
}
