package proc

import (
	"os"
	"strconv"
	"testing"
	"time"

	"svman/internal/testkit"
)

// Close returns while a child still runs (its loop is blocked in waitid), and
// that loop takes nothing from the reaper made next: a child of the new one
// gets its exit, and the old child (killed as its forking thread ends with
// Close) is reaped as an orphan of the new one rather than left a zombie.
func TestCloseLeavesNothingToTheOldLoop(t *testing.T) {
	old := NewReaper()
	oldPID, _, err := old.Spawn(SpawnSpec{Path: "/bin/sleep", Argv: []string{"sleep", "60"}})
	if err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the old loop waiting in waitid", func() bool {
		old.loop.mu.Lock()
		defer old.loop.mu.Unlock()
		return old.loop.blocked
	})
	closed := make(chan struct{})
	go func() {
		old.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not return while a child runs")
	}

	r := NewReaper()
	defer r.Close()
	_, exited, err := r.Spawn(SpawnSpec{Path: "/bin/sh", Argv: []string{"sh", "-c", "exit 3"}})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case st := <-exited:
		if st.Code != 3 {
			t.Errorf("exit code %d, want 3", st.Code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the new reaper's child never got its exit")
	}
	testkit.WaitFor(t, "the old child reaped", func() bool { return !pidExists(oldPID) })
	if o := r.Orphans(); o != 1 {
		t.Errorf("the new reaper reaped %d orphans, want the old reaper's child", o)
	}
}

// pidExists reports whether pid is a process, a zombie included.
func pidExists(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return err == nil
}
