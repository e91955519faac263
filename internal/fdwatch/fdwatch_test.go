package fdwatch

import (
	"os"
	"testing"

	"svman/internal/testkit"
)

func pipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

func fd(t *testing.T, f *os.File) int {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rc.Control(func(fd uintptr) { n = int(fd) }); err != nil {
		t.Fatal(err)
	}
	return n
}

func expect(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-testkit.Within():
		t.Fatalf("no callback: %s", what)
	}
}

func expectNone(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	// A callback is delivered within microseconds of the write; a second write
	// to another watched pipe, whose callback must come, orders the check.
	select {
	case <-c:
		t.Fatalf("unexpected callback: %s", what)
	default:
	}
}

// One callback per readiness: nothing more until Rearm, and at once after Rearm
// while the data is still unread.
func TestOneShotAndRearm(t *testing.T) {
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r, wr := pipe(t)
	calls := make(chan struct{}, 10)
	x, err := w.Add(fd(t, r), func(*Watch) { calls <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}
	// A second pipe's callback orders the checks for absent callbacks.
	r2, wr2 := pipe(t)
	calls2 := make(chan struct{}, 10)
	x2, err := w.Add(fd(t, r2), func(*Watch) { calls2 <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}

	wr.Write([]byte("a"))
	expect(t, calls, "first write")
	wr.Write([]byte("b"))
	wr2.Write([]byte("z"))
	expect(t, calls2, "the other pipe")
	expectNone(t, calls, "second write before Rearm")

	if err := x.Rearm(); err != nil {
		t.Fatal(err)
	}
	expect(t, calls, "Rearm with unread data")

	buf := make([]byte, 8)
	r.Read(buf)
	x.Remove()
	if err := x.Rearm(); err == nil {
		t.Error("Rearm after Remove succeeded")
	}
	wr.Write([]byte("c"))
	x2.Rearm() // z is unread: calls back at once
	expect(t, calls2, "the other pipe after Rearm")
	expectNone(t, calls, "after Remove")
}

// A hang-up of the other end counts as readable: the owner reads end of file.
func TestHangUp(t *testing.T) {
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r, wr := pipe(t)
	calls := make(chan struct{}, 1)
	if _, err := w.Add(fd(t, r), func(*Watch) { calls <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	wr.Close()
	expect(t, calls, "hang-up")
}

func TestClose(t *testing.T) {
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	w.Close()
	r, _ := pipe(t)
	if _, err := w.Add(fd(t, r), func(*Watch) {}); err != ErrClosed {
		t.Errorf("Add after Close = %v, want ErrClosed", err)
	}
}
