package statusfs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"svman/internal/testkit"
)

// readControl reads the control FIFO with TryReadControl, waiting until as many
// bytes as want has arrived, and fails the test unless they are want and nothing
// more is waiting.
func readControl(t *testing.T, d *Dir, want string) {
	t.Helper()
	var got []byte
	var err error
	buf := make([]byte, 64)
	testkit.WaitFor(t, fmt.Sprintf("%q on control", want), func() bool {
		var n int
		n, err = d.TryReadControl(buf)
		got = append(got, buf[:n]...)
		return err != nil || len(got) >= len(want)
	})
	if err != nil || string(got) != want {
		t.Fatalf("TryReadControl read %q, %v; want %q", got, err, want)
	}
	if n, err := d.TryReadControl(buf); n != 0 || err != nil {
		t.Fatalf("TryReadControl after %q = %q, %v; want nothing more", want, buf[:n], err)
	}
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

func TestSendControlTryReadControl(t *testing.T) {
	d := openTemp(t)
	// Before anything is sent, there is nothing to read, and no waiting.
	if n, err := d.TryReadControl(make([]byte, 8)); n != 0 || err != nil {
		t.Fatalf("TryReadControl with nothing sent = %d, %v; want 0, nil", n, err)
	}
	if err := SendControl(d.Path(), []byte("dx")); err != nil {
		t.Fatal(err)
	}
	readControl(t, d, "dx")
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
	readControl(t, d, "d\n")
}

func TestControlAfterClose(t *testing.T) {
	d := openTemp(t)
	if err := SendControl(d.Path(), []byte("d")); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := d.TryReadControl(make([]byte, 8)); n != 0 || !errors.Is(err, os.ErrClosed) {
		t.Errorf("TryReadControl after Close = %d, %v; want 0, os.ErrClosed", n, err)
	}
	if _, err := d.ControlFD(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("ControlFD after Close = %v, want os.ErrClosed", err)
	}
}

// The FIFOs a Dir holds, and the control FIFO a Released keeps, stay out of
// the runtime's poller, which keeps half a KiB for every descriptor it ever
// held at once and never gives it back: nothing waits on them there.
func TestFIFOsStayOutOfThePoller(t *testing.T) {
	d := openTemp(t)
	for _, f := range []*os.File{d.control, d.ok} {
		if err := f.SetReadDeadline(time.Time{}); !errors.Is(err, os.ErrNoDeadline) {
			t.Errorf("%s: SetReadDeadline = %v, want os.ErrNoDeadline (a file out of the poller)", f.Name(), err)
		}
	}
	r, err := d.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.control.SetReadDeadline(time.Time{}); !errors.Is(err, os.ErrNoDeadline) {
		t.Errorf("released %s: SetReadDeadline = %v, want os.ErrNoDeadline", r.control.Name(), err)
	}
	// Still read without waiting.
	if got, n, err := r.Reclaim(make([]byte, 8), wantsUp); got != nil || n != 0 || err != nil {
		t.Errorf("Reclaim of the released FIFO with nothing sent = %v, %d, %v; want nil, 0, nil", got, n, err)
	}
}
