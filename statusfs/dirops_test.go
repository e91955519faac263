package statusfs

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"svman/internal/testkit"
)

// Under an open-files limit that leaves room for what the Dirs hold and for
// DirOpFiles more, none of many writers that write at once runs out of
// descriptors: the directory operations under way never hold more than that.
func TestConcurrentWritesStayWithinDirOpFiles(t *testing.T) {
	const dirs, rounds = 200, 5
	root := filepath.Join(t.TempDir(), "status")
	var ds []*Dir
	for i := range dirs {
		d, err := Open(filepath.Join(root, fmt.Sprintf("m%03d", i)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		ds = append(ds, d)
	}
	// The reading of /proc/self/fd that counts them is closed again: the
	// limit leaves room for DirOpFiles beside what is open now.
	testkit.LimitOpenFiles(t, uint64(countFDs(t)+DirOpFiles))

	errs := make(chan error, dirs*rounds*3)
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Go(func() {
			for i := range rounds {
				errs <- d.WriteStatus(Status{Want: WantUp, PID: i + 1})
				errs <- d.WriteState(State{State: RunUp, Restarts: i})
				f, err := d.OpenFile("__stdout", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
				if err == nil {
					err = f.Close()
				}
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			if failed++; failed <= 3 {
				t.Error(err)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d writes failed", failed, dirs*rounds*3)
	}
}
