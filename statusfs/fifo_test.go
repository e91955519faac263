package statusfs

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"svman/internal/testkit"
)

type readResult struct {
	b   string
	err error
}

// startRead runs ReadControl in a goroutine and returns where its result arrives.
func startRead(d *Dir) <-chan readResult {
	ch := make(chan readResult, 1)
	go func() {
		buf := make([]byte, 64)
		n, err := d.ReadControl(buf)
		ch <- readResult{string(buf[:n]), err}
	}()
	return ch
}

func await(t *testing.T, ch <-chan readResult) readResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-testkit.Within():
		t.Fatal("ReadControl did not return")
		return readResult{}
	}
}

// parkedInPoller reports whether a goroutine is blocked in ReadControl in the runtime
// poller ("IO wait"), which is where it must wait: not on an OS thread, not spinning.
func parkedInPoller() bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "[IO wait") && strings.Contains(g, "(*Dir).ReadControl") {
			return true
		}
	}
	return false
}

func TestSupervised(t *testing.T) {
	if Supervised(t.TempDir()) {
		t.Error("Supervised(empty dir)")
	}
	if Supervised(filepath.Join(t.TempDir(), "missing")) {
		t.Error("Supervised(missing dir)")
	}
	d := openTemp(t)
	if !Supervised(d.Path()) {
		t.Error("not Supervised while open")
	}
	d.Close()
	if Supervised(d.Path()) {
		t.Error("Supervised after Close")
	}
}

func TestSendControlNotSupervised(t *testing.T) {
	closed := openTemp(t)
	closed.Close()
	for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "missing"), closed.Path()} {
		done := make(chan error, 1)
		go func() { done <- SendControl(dir, []byte("d")) }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotSupervised) {
				t.Errorf("SendControl(%s) = %v, want ErrNotSupervised", dir, err)
			}
		case <-testkit.Within():
			t.Fatalf("SendControl(%s) blocked", dir)
		}
	}
}

func TestSendControlRefusesRegularFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "control")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SendControl(dir, []byte("d")); err == nil || errors.Is(err, ErrNotSupervised) {
		t.Errorf("SendControl to a regular file = %v, want a not-a-FIFO error", err)
	}
	if b, _ := os.ReadFile(p); len(b) != 0 {
		t.Errorf("SendControl wrote %q into a regular file", b)
	}
}

func TestSendControlReadControl(t *testing.T) {
	d := openTemp(t)
	ch := startRead(d)
	// Before anything is sent, the reader must be parked in the poller, not returning
	// EAGAIN or spinning.
	testkit.WaitFor(t, "ReadControl to park in the poller", parkedInPoller)
	select {
	case r := <-ch:
		t.Fatalf("ReadControl returned with nothing sent: %q, %v", r.b, r.err)
	default:
	}
	if err := SendControl(d.Path(), []byte("dx")); err != nil {
		t.Fatal(err)
	}
	if r := await(t, ch); r.err != nil || r.b != "dx" {
		t.Errorf("ReadControl = %q, %v; want \"dx\"", r.b, r.err)
	}
	if err := SendControl(d.Path(), nil); err != nil {
		t.Errorf("SendControl(nil) = %v", err)
	}
}

func TestShellEchoControl(t *testing.T) {
	d := openTemp(t)
	cmd := exec.Command("sh", "-c", "echo d > control")
	cmd.Dir = d.Path()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("echo d > control: %v %s", err, out)
	}
	var got string
	for len(got) < 2 {
		r := await(t, startRead(d))
		if r.err != nil {
			t.Fatal(r.err)
		}
		got += r.b
	}
	if got != "d\n" {
		t.Errorf("read %q, want \"d\\n\"", got)
	}
}

func TestReadControlUnblocksOnClose(t *testing.T) {
	d := openTemp(t)
	ch := startRead(d)
	testkit.WaitFor(t, "ReadControl to park in the poller", parkedInPoller)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if r := await(t, ch); !errors.Is(r.err, os.ErrClosed) {
		t.Errorf("blocked ReadControl after Close = %q, %v; want os.ErrClosed", r.b, r.err)
	}
	if _, err := d.ReadControl(make([]byte, 1)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("ReadControl after Close = %v, want os.ErrClosed", err)
	}
}
