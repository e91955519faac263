// Package fulldisk gives tests a small file system they can fill until writes
// fail with ENOSPC, and free again: a tmpfs mounted for the test, which needs root
// (tests that use it skip with the reason elsewhere).
package fulldisk

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// Size is the size of the mounted tmpfs.
const Size = 1 << 20

// Disk is a tmpfs of Size bytes mounted on Dir for the life of one test.
type Disk struct {
	Dir    string
	filler string
}

// Mount mounts a fresh tmpfs (mode 0700) under a temporary directory and
// unmounts it at the end of the test. It skips the test when not root, or when
// mounting is not allowed here (a container without CAP_SYS_ADMIN).
func Mount(t testing.TB) *Disk {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: mounts a 1 MiB tmpfs to fill it")
	}
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1M,mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs on %s (%v): the test fills a small file system", dir, err)
	}
	t.Cleanup(func() {
		// Lazily, so that a descriptor a failed test left open cannot fail the others.
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return &Disk{Dir: dir, filler: filepath.Join(dir, "filler")}
}

// Fill writes a file until the file system is full, and checks that a new write
// then fails with ENOSPC.
func (d *Disk) Fill(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(d.filler, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, unix.ENOSPC) {
				t.Fatalf("filling %s: %v, want ENOSPC", d.Dir, err)
			}
			break
		}
	}
	probe := filepath.Join(d.Dir, "probe")
	err = os.WriteFile(probe, []byte("x"), 0o600)
	os.Remove(probe)
	if !errors.Is(err, unix.ENOSPC) {
		t.Fatalf("%s filled, but a new write gives %v, want ENOSPC", d.Dir, err)
	}
}

// Free removes what Fill wrote.
func (d *Disk) Free(t testing.TB) {
	t.Helper()
	if err := os.Remove(d.filler); err != nil {
		t.Fatal(err)
	}
}
