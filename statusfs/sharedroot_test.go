package statusfs

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// A held Dir keeps three descriptors open (lock, control, ok), and all the Dirs
// of a status_dir share one of it: writes and log lines open the directory and
// close it again.
func TestDirsHoldThreeFilesEach(t *testing.T) {
	const dirs = 20
	root := filepath.Join(t.TempDir(), "status")
	before := countFDs(t)
	var ds []*Dir
	for i := range dirs {
		d, err := Open(filepath.Join(root, fmt.Sprintf("m%02d", i)))
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
		if err := d.WriteStatus(Status{Want: WantUp, PID: 1}); err != nil {
			t.Fatal(err)
		}
		d.Notice("up")
	}
	if got, want := countFDs(t)-before, dirs*3+1; got != want {
		t.Errorf("%d Dirs hold %d descriptors, want %d (3 each, and status_dir's)", dirs, got, want)
	}
	for _, d := range ds {
		d.Close()
	}
	if got := countFDs(t) - before; got != 0 {
		t.Errorf("%d descriptors left open once every Dir is closed", got)
	}
}

// status_dir removed as a whole: every Dir under it finds its directory gone,
// and Repair makes status_dir again, then the directory; nothing of the old
// status_dir stays open.
func TestRepairAfterStatusDirRemoved(t *testing.T) {
	root := filepath.Join(t.TempDir(), "status")
	var ds []*Dir
	for _, name := range []string{"a", "b"} {
		d, err := Open(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		ds = append(ds, d)
	}
	before := countFDs(t)
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if err := d.WriteStatus(Status{Want: WantUp, PID: 7}); err == nil {
			t.Errorf("%s: WriteStatus into a removed status_dir succeeded", d.Path())
		}
		repair(t, d, "directory", "lock", "control", "ok")
		if err := d.WriteStatus(Status{Want: WantUp, PID: 7}); err != nil {
			t.Fatal(err)
		}
		if st, err := ReadStatus(d.Path()); err != nil || st.PID != 7 {
			t.Errorf("%s: ReadStatus = %+v, %v; want pid 7", d.Path(), st, err)
		}
		if pid, ok := LockHolder(d.Path()); !ok || pid != os.Getpid() {
			t.Errorf("%s: LockHolder = %d, %v", d.Path(), pid, ok)
		}
		sendAndRead(t, d, "u")
	}
	if got := countFDs(t); got != before {
		t.Errorf("%d descriptors open after the repairs, %d before", got, before)
	}
}
