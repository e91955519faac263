package engine

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"svman/internal/testkit"
	"svman/statusfs"
)

// 10,000 commands from 8 concurrent writers, mixed with random bytes, are
// applied (a run of the same command within one read once), the random bytes
// counted and ignored, while a writer that opened the FIFO and never writes
// blocks nothing. (Per writer, order is the FIFO's: each write is atomic and the
// reader takes the bytes as they come.)
func TestControlFIFOAbuse(t *testing.T) {
	h := newHarness(t)
	h.apply(h.module("target", "showenv", nil)) // a Go child: SIGALRM ('a') is caught and ignored
	pid := h.waitUp("target")
	// Until the child's runtime has set up its signal handlers, SIGALRM kills it.
	testkit.WaitFor(t, "the child to be ready", func() bool { return h.out.has("target: VALUE=") })
	dir := filepath.Join(h.status, "target")

	idle, err := os.OpenFile(filepath.Join(dir, "control"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close() // opened, never written

	const writers, perWriter = 8, 1250
	var wg sync.WaitGroup
	var garbage sync.Map
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := os.OpenFile(filepath.Join(dir, "control"), os.O_WRONLY, 0)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			bad := 0
			for range perWriter {
				b := []byte{'a'}
				if rng.IntN(10) == 0 { // a random byte that is no command
					junk := byte(rng.IntN(256))
					if !statusfs.IsControl(junk) && !strings.ContainsRune("\n\r\t \x00", rune(junk)) {
						b = append(b, junk)
						bad++
					}
				}
				if _, err := f.Write(b); err != nil {
					t.Error(err)
					return
				}
			}
			garbage.Store(w, bad)
		}()
	}
	wg.Wait()
	bad := 0
	garbage.Range(func(_, v any) bool { bad += v.(int); return true })
	// The FIFO still answers at once, after every byte written before.
	statusfs.SendControl(dir, []byte("d"))
	testkit.WaitFor(t, "target's exit", func() bool { return h.ev.count("target", Exited) > 0 })
	unknown := 0
	for _, ev := range h.ev.find("target", BadCommand) {
		unknown += ev.UnknownCount
	}
	if unknown != bad {
		t.Errorf("%d unknown bytes reported, %d written", unknown, bad)
	}
	if n := h.ev.count("target", Signaled); n < 1 || n > writers*perWriter {
		t.Errorf("%d SIGALRMs sent for %d a's", n, writers*perWriter)
	}
	if exits := h.ev.find("target", Exited); h.ev.count("target", Started) != 1 || len(exits) != 1 || exits[0].PID != pid {
		t.Errorf("the child changed: exits %+v", exits)
	}
}

// A full disk: status writes fail, svman says so and keeps supervising; once there
// is room again the status file is right.
func TestFullDiskKeepsSupervising(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs to fill up")
	}
	mnt := t.TempDir()
	// mode=0700: a tmpfs root is 1777 otherwise, which svman refuses as a status_dir.
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=256k,mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })

	h := newHarness(t)
	h.status = mnt
	h.apply(h.module("app", "showenv", nil))
	pid := h.waitUp("app")
	filler := filepath.Join(mnt, "filler")
	f, _ := os.Create(filler)
	for {
		if _, err := f.Write(make([]byte, 4096)); err != nil {
			break // ENOSPC: the disk is full
		}
	}
	f.Close()

	syscall.Kill(pid, syscall.SIGKILL)
	testkit.WaitFor(t, "a warning about the failed status write", func() bool {
		for _, ev := range h.ev.find("app", Warning) {
			if strings.Contains(ev.Err.Error(), "no space left") {
				return true
			}
		}
		return false
	})
	testkit.WaitFor(t, "app restarted despite the full disk", func() bool { return h.ev.count("app", Started) == 2 })
	os.Remove(filler)
	statusfs.SendControl(filepath.Join(mnt, "app"), []byte("k"))
	testkit.WaitFor(t, "the status file right again", func() bool {
		st, err := statusfs.ReadStatus(filepath.Join(mnt, "app"))
		return err == nil && st.PID != 0 && st.PID != pid && alive(st.PID) && h.ev.count("app", Started) == 3
	})
}
