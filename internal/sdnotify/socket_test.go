package sdnotify

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"svman/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// listen opens a notify socket whose messages the test receives, and closes it
// at the test's end.
func listen(t *testing.T) (*Socket, <-chan Message) {
	t.Helper()
	msgs := make(chan Message, 64)
	s, err := Listen(func(m Message) {
		select {
		case msgs <- m:
		default: // the test reads them all long before
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if !strings.HasPrefix(s.Addr(), "@svman/") {
		t.Errorf("Addr() = %q, want an abstract address, @svman/...", s.Addr())
	}
	return s, msgs
}

func receive(t *testing.T, msgs <-chan Message) Message {
	t.Helper()
	select {
	case m := <-msgs:
		return m
	case <-testkit.Within():
		t.Fatal("no message delivered")
		return Message{}
	}
}

func TestSocketDeliversWithTheSendersCredentials(t *testing.T) {
	s, msgs := listen(t)
	if err := Send(s.Addr(), "READY=1\nSTATUS=listening"); err != nil {
		t.Fatal(err)
	}
	m := receive(t, msgs)
	want := Message{PID: os.Getpid(), UID: os.Getuid(), Ready: true, Status: "listening", HasStatus: true}
	if m != want {
		t.Errorf("delivered %+v, want %+v", m, want)
	}
}

// A child's datagram comes with the child's pid, whatever it claims.
func TestSocketDeliversAChildsMessage(t *testing.T) {
	s, msgs := listen(t)
	cmd := testkit.Command("notify", "STATUS=warming up", "MAINPID=1", "READY=1")
	cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+s.Addr())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("notify: %v\n%s", err, out)
	}
	m := receive(t, msgs)
	want := Message{PID: cmd.Process.Pid, UID: os.Getuid(), Ready: true, Status: "warming up", HasStatus: true, MainPID: 1}
	if m != want {
		t.Errorf("delivered %+v, want %+v", m, want)
	}
}

// An abstract socket has no file permissions: a child running as another user
// reaches it, and its uid is told.
func TestSocketDeliversFromAnotherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run a child as another user")
	}
	s, msgs := listen(t)
	exe := copyExecutable(t) // the test binary's own directory is not another user's to read
	cmd := testkit.Command("notify", "READY=1")
	cmd.Path, cmd.Args[0] = exe, exe
	cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+s.Addr())
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("notify as uid 65534: %v\n%s", err, out)
	}
	m := receive(t, msgs)
	if m.PID != cmd.Process.Pid || m.UID != 65534 || !m.Ready {
		t.Errorf("delivered %+v, want READY=1 from pid %d, uid 65534", m, cmd.Process.Pid)
	}
}

// A datagram larger than MaxMessage is dropped whole; one of exactly MaxMessage
// bytes is not.
func TestSocketDropsAnOversizeDatagram(t *testing.T) {
	s, msgs := listen(t)
	atMax := "STATUS=" + strings.Repeat("m", MaxMessage-len("STATUS="))
	for _, d := range []string{
		"READY=1\nSTATUS=" + strings.Repeat("x", MaxMessage-len("READY=1\nSTATUS=")+1), // one byte over
		"READY=1\nSTATUS=" + strings.Repeat("x", 100_000),
		atMax,
	} {
		if err := Send(s.Addr(), d); err != nil {
			t.Fatal(err)
		}
	}
	// Datagrams are delivered in the order sent: the first one delivered is the
	// last one sent.
	if m := receive(t, msgs); m.Ready || m.Status != atMax[len("STATUS="):] {
		t.Errorf("delivered Ready %v and a status of %d bytes; want the oversize datagram dropped and the next one, of %d bytes, delivered",
			m.Ready, len(m.Status), len(atMax)-len("STATUS="))
	}
}

// Descriptors passed with a datagram (FDSTORE=1) are closed: svman keeps none.
func TestSocketClosesPassedDescriptors(t *testing.T) {
	s, msgs := listen(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	pipe, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(w.Fd())))
	if err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	err = syscall.Sendmsg(fd, []byte("FDSTORE=1\nSTATUS=stored"), syscall.UnixRights(int(w.Fd())), &syscall.SockaddrUnix{Name: s.Addr()}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if m := receive(t, msgs); m.Status != "stored" {
		t.Fatalf("delivered %+v, want STATUS=stored", m)
	}
	if n := openCount(t, pipe); n != 2 {
		t.Errorf("%d descriptors open on %s after the delivery, want 2 (the test's own)", n, pipe)
	}
}

// Close ends the socket's goroutine: it returns, nothing is delivered after
// it, and the address takes no more datagrams.
func TestSocketClose(t *testing.T) {
	s, msgs := listen(t)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-testkit.Within():
		t.Fatal("Close did not return: its goroutine did not end")
	}
	if err := Send(s.Addr(), "READY=1"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("Send to a closed socket: %v, want connection refused", err)
	}
	select {
	case m := <-msgs:
		t.Errorf("delivered %+v after Close", m)
	default:
	}
}

func TestSendToAPathSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := Send(path, "STOPPING=1"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := conn.Read(buf)
	if err != nil || string(buf[:n]) != "STOPPING=1" {
		t.Errorf("the manager's socket read %q, %v; want STOPPING=1", buf[:n], err)
	}
	if err := Send("relative/socket", "READY=1"); err == nil {
		t.Error("Send to a relative address succeeded; want an error")
	}
}

// copyExecutable copies the test binary to a directory every user may read.
func copyExecutable(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sdnotify-exe")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(testkit.Executable())
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	exe := filepath.Join(dir, "notify")
	dst, err := os.OpenFile(exe, os.O_WRONLY|os.O_CREATE, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return exe
}

// openCount is how many descriptors of this process are open on link (as
// /proc/self/fd shows it: "pipe:[123]").
func openCount(t *testing.T, link string) int {
	t.Helper()
	fds, err := filepath.Glob("/proc/self/fd/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		if got, err := os.Readlink(fd); err == nil && got == link {
			n++
		}
	}
	return n
}
