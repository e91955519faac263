package statusfs

import (
	"bytes"
	"errors"
	"testing"
)

func wantsUp(b []byte) bool { return bytes.IndexByte(b, 'u') >= 0 }

// A released directory is not supervised, still listens, and is reclaimed only by
// the bytes its owner wants.
func TestReleaseAndReclaim(t *testing.T) {
	d := openTemp(t)
	path := d.Path()
	r, err := d.Release()
	if err != nil {
		t.Fatalf("Release: %v", err)
	}
	defer r.Close()
	if Supervised(path) || !Listening(path) {
		t.Fatalf("released: Supervised = %v, Listening = %v; want false, true", Supervised(path), Listening(path))
	}
	if pid, ok := LockHolder(path); ok {
		t.Fatalf("released, the lock is still held by pid %d", pid)
	}

	buf := make([]byte, 16)
	if err := SendControl(path, []byte("d\n")); err != nil {
		t.Fatal(err)
	}
	got, n, err := r.Reclaim(buf, wantsUp)
	if got != nil || err != nil || string(buf[:n]) != "d\n" {
		t.Fatalf("Reclaim after d = %v, %q, %v; want no directory, the bytes, no error", got, buf[:n], err)
	}
	if _, ok := LockHolder(path); ok || Supervised(path) {
		t.Fatal("a Reclaim that was not wanted kept the lock or ok")
	}

	if err := SendControl(path, []byte("u")); err != nil {
		t.Fatal(err)
	}
	got, n, err = r.Reclaim(buf, wantsUp)
	if got == nil || err != nil || string(buf[:n]) != "u" {
		t.Fatalf("Reclaim after u = %v, %q, %v", got, buf[:n], err)
	}
	defer got.Close()
	if !Supervised(path) {
		t.Error("reclaimed, the directory is not supervised")
	}
	if err := SendControl(path, []byte("k")); err != nil {
		t.Fatal(err)
	}
	readControl(t, got, "k") // the reclaimed directory reads control
}

// When another supervisor took the directory, Reclaim leaves it alone and never
// reads the bytes meant for it.
func TestReclaimLeavesAnotherSupervisorAlone(t *testing.T) {
	d := openTemp(t)
	path := d.Path()
	r, err := d.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	other, err := Open(path)
	if err != nil {
		t.Fatalf("another supervisor cannot take the released directory: %v", err)
	}
	defer other.Close()
	if err := SendControl(path, []byte("u")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	var locked *LockedError
	if got, n, err := r.Reclaim(buf, wantsUp); got != nil || n != 0 || !errors.As(err, &locked) {
		t.Fatalf("Reclaim under another supervisor = %v, %d, %v; want a *LockedError and nothing read", got, n, err)
	}
	readControl(t, other, "u") // the other supervisor reads what was meant for it
	other.Close()
	r.Close()
	if Listening(path) {
		t.Error("closed, the released directory still listens")
	}
}
