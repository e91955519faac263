package proc

import (
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPipes opens n pipes in the test process, closed at the test's end: the
// descriptors a supervisor of n/2 modules holds.
func openPipes(t *testing.T, n int) {
	t.Helper()
	for range n {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close(); w.Close() })
	}
}

// The forking thread's table stays small however many files svman opens after
// the reaper started: that is what keeps each fork's cost independent of the
// number of modules.
func TestForkingThreadHoldsFewDescriptors(t *testing.T) {
	r := NewReaper()
	defer r.Close()
	openPipes(t, 500)
	for _, f := range r.forkers {
		ents, err := os.ReadDir(fmt.Sprintf("/proc/self/task/%d/fd", f.tid))
		if err != nil {
			t.Skipf("no /proc: %v", err)
		}
		if !f.private() {
			t.Fatalf("a forking thread shares svman's descriptor table (%d descriptors)", len(ents))
		}
		if len(ents) > 12 {
			var names []string
			for _, e := range ents {
				link, _ := os.Readlink(fmt.Sprintf("/proc/self/task/%d/fd/%s", f.tid, e.Name()))
				names = append(names, e.Name()+" -> "+link)
			}
			t.Fatalf("a forking thread holds %d descriptors, want at most 12:\n%s", len(ents), strings.Join(names, "\n"))
		}
	}
	// And it still forks: a child gets its files and runs.
	if out, st := spawnOutput(t, r, true, "/bin/sh", "sh", "-c", "echo hello"); !st.Success() || out != "hello\n" {
		t.Fatalf("child: %v, wrote %q, want %q", st, out, "hello\n")
	}
}

// spawnOutput runs path with argv from r, its stdin /dev/null if withStdin
// (else closed), its stdout and stderr one pipe, and returns what it wrote
// and how it ended.
func spawnOutput(t *testing.T, r *Reaper, withStdin bool, path string, argv ...string) (string, ExitStatus) {
	t.Helper()
	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var stdin *os.File
	if withStdin {
		stdin = openDevNull(t)
	}
	_, exited, err := r.Spawn(SpawnSpec{Path: path, Argv: argv, Files: [3]*os.File{stdin, wr, wr}})
	wr.Close()
	if err != nil {
		t.Fatal(err)
	}
	st := <-exited
	out, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return string(out), st
}

// A descriptor svman opens without close-on-exec (a library's mistake) never
// leaks into a child: children are forked from a table that does not have it.
func TestChildInheritsOnlyItsStandardFiles(t *testing.T) {
	r := NewReaper()
	defer r.Close()
	leak, err := unix.Open(os.DevNull, unix.O_RDONLY, 0) // no O_CLOEXEC
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(leak)
	// ls lists the child's descriptors as it runs: 0, 1, 2 and its own listing's.
	out, _ := spawnOutput(t, r, true, "/bin/ls", "ls", "/proc/self/fd")
	if got := strings.Fields(out); len(got) != 4 || got[0] != "0" || got[1] != "1" || got[2] != "2" {
		t.Fatalf("the child has descriptors %q, want 0 1 2 and ls's own (descriptor %d was open in svman without close-on-exec)", got, leak)
	}
}

// Children that exit at once, forked from several threads at the same time,
// each get their own exit: none is taken for an orphan's because it was
// reaped before its fork was registered.
func TestEveryQuickExitFindsItsOwner(t *testing.T) {
	r := NewReaper()
	defer r.Close()
	null := openDevNull(t)
	const n = 200
	errs := make(chan error, n)
	for i := range n {
		go func() {
			code := i % 100
			_, exited, err := r.Spawn(SpawnSpec{Path: "/bin/sh", Argv: []string{"sh", "-c", fmt.Sprintf("exit %d", code)}, Files: [3]*os.File{null, null, null}})
			if err != nil {
				errs <- err
				return
			}
			select {
			case st := <-exited:
				if st.Code != code {
					errs <- fmt.Errorf("child %d: exit code %d, want %d", i, st.Code, code)
					return
				}
				errs <- nil
			case <-time.After(30 * time.Second):
				errs <- fmt.Errorf("child %d: its exit never came", i)
			}
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if o := r.Orphans(); o != 0 {
		t.Errorf("%d exits were taken for orphans'", o)
	}
}

// A nil file is a descriptor the child does not have, as syscall.ForkExec has it.
func TestNilFileIsClosedInTheChild(t *testing.T) {
	r := NewReaper()
	defer r.Close()
	if out, _ := spawnOutput(t, r, false, "/bin/sh", "sh", "-c", "if [ -e /proc/self/fd/0 ]; then echo open; else echo closed; fi"); out != "closed\n" {
		t.Fatalf("the child's stdin is %q, want closed", out)
	}
}

// openDevNull opens /dev/null for reading and writing, closed when the test ends.
func openDevNull(t *testing.T) *os.File {
	t.Helper()
	f, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
