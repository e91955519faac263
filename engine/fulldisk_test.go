package engine

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"svman/internal/fulldisk"
	"svman/internal/testkit"
	"svman/statusfs"
)

// With the status directory on a full file system, `d` stops the module and the
// status file says so (want d, pid 0), with one warning; once there is space
// again, the files (the status file and state.json) are written the normal way
// again without anyone asking, and no reader ever sees a status file that is not
// whole.
func TestFullDiskStatusTellsTheTruth(t *testing.T) {
	disk := fulldisk.Mount(t)
	retryMax := fileRetryMax
	fileRetryMax = 200 * time.Millisecond
	t.Cleanup(func() { fileRetryMax = retryMax })

	h := newHarness(t)
	h.status = filepath.Join(disk.Dir, "status")
	h.apply(h.module("app", "showenv", nil))
	pid := h.waitUp("app")
	dir := filepath.Join(h.status, "app")
	testkit.WaitFor(t, "state.json to say up", func() bool {
		st, err := statusfs.ReadState(dir)
		return err == nil && st.State == statusfs.RunUp
	})
	ino := func() uint64 {
		fi, err := os.Stat(filepath.Join(dir, "status"))
		if err != nil {
			return 0
		}
		return fi.Sys().(*syscall.Stat_t).Ino
	}
	before := ino()

	stop := make(chan struct{})
	var readErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := statusfs.ReadStatus(dir); err != nil {
				readErr = err
				return
			}
		}
	}()

	// A write that fails on the full disk removes the file it was writing
	// (state.json, module.json: an unlink needs no space), which would free
	// a block for the status file to be replaced after all. Each is given a
	// second link outside the status directory first, so that no removal
	// frees anything: the status file can then be right only by being
	// rewritten in place. A file written anew meanwhile is linked again.
	held := []string{"state.json", "module.json"}
	within := testkit.Within()
	for linked := false; !linked; {
		select {
		case <-within:
			t.Fatal("state.json and module.json kept being written anew: the disk could not be filled with them linked")
		default:
		}
		for _, name := range held {
			hold := filepath.Join(disk.Dir, "hold-"+name)
			if err := os.Remove(hold); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if err := os.Link(filepath.Join(dir, name), hold); err != nil {
				t.Fatal(err)
			}
		}
		disk.Fill(t)
		linked = true
		for _, name := range held {
			a, errA := os.Stat(filepath.Join(dir, name))
			b, errB := os.Stat(filepath.Join(disk.Dir, "hold-"+name))
			if errA != nil || errB != nil || !os.SameFile(a, b) {
				linked = false
			}
		}
	}
	if err := statusfs.SendControl(dir, []byte("d")); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the module down and the status saying so", func() bool {
		st, err := statusfs.ReadStatus(dir)
		return err == nil && st.Want == statusfs.WantDown && st.PID == 0 && !alive(pid)
	})
	if ino() != before {
		t.Error("the status file was replaced on a full disk, not rewritten in place")
	}

	disk.Free(t)
	testkit.WaitFor(t, "the files written the normal way again", func() bool {
		st, err := statusfs.ReadState(dir)
		return ino() != before && err == nil && st.State == statusfs.RunDown
	})
	if err := statusfs.SendControl(dir, []byte("u")); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the module up again", func() bool {
		st, err := statusfs.ReadStatus(dir)
		return err == nil && st.Want == statusfs.WantUp && st.PID != 0 && st.PID != pid
	})
	close(stop)
	wg.Wait()
	if readErr != nil {
		t.Errorf("a reader saw a bad status file: %v", readErr)
	}
	var warnings []string
	for _, ev := range h.ev.find("app", Warning) {
		if !strings.HasPrefix(ev.Err.Error(), "log file:") { // the module's own output files
			warnings = append(warnings, ev.Err.Error())
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "in place") {
		t.Errorf("warnings about the status directory: %q; want one, saying the status was rewritten in place", warnings)
	}
}
