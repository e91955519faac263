package main

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// svman up's output into a pipe (svman up | tee, a log shipper) gets a pipe of
// 1 MiB, so that a burst of module output waits in the kernel, not in svman's
// queue where a slow reader would have it shed.
func TestOutputPipeIsGrown(t *testing.T) {
	if b, err := os.ReadFile("/proc/sys/fs/pipe-max-size"); err != nil || strings.TrimSpace(string(b)) != "1048576" {
		t.Skipf("this machine's pipe-max-size is %q, not the default 1 MiB", b)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	before, _ := unix.FcntlInt(w.Fd(), unix.F_GETPIPE_SZ, 0)
	growPipe(w)
	after, err := unix.FcntlInt(w.Fd(), unix.F_GETPIPE_SZ, 0)
	if err != nil {
		t.Fatal(err)
	}
	if after != 1<<20 {
		t.Errorf("pipe size %d after growPipe (was %d), want 1 MiB", after, before)
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	growPipe(f) // not a pipe: left alone, no error
	f.Close()
}
