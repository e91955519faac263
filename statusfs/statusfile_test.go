package statusfs

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
)

func TestWriteStatusAtomic(t *testing.T) {
	d := openTemp(t)
	if err := d.WriteStatus(Status{Changed: time.Now(), Want: WantUp, AlarmsOn: true, PID: 99}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(d.Path(), "status.new")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("status.new left behind: %v", err)
	}
	fi, err := os.Lstat(filepath.Join(d.Path(), "status"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != StatusSize || !fi.Mode().IsRegular() || fi.Mode().Perm()&^0o644 != 0 {
		t.Errorf("status: size %d mode %v; want %d bytes, regular, at most 0644", fi.Size(), fi.Mode(), StatusSize)
	}
}

// A reader polling the file while it is rewritten sees only whole, valid versions.
func TestWriteStatusConcurrentReader(t *testing.T) {
	d := openTemp(t)
	if err := d.WriteStatus(Status{Want: WantUp, AlarmsOn: true}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var reads int
	var readErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p := filepath.Join(d.Path(), "status")
		for {
			select {
			case <-stop:
				return
			default:
			}
			b, err := os.ReadFile(p)
			if err == nil && len(b) != StatusSize {
				err = errors.New("short or long status file")
			}
			if err == nil {
				_, err = Decode(b)
			}
			if err != nil {
				readErr = err
				return
			}
			reads++
		}
	}()
	for i := range 1000 {
		s := Status{Changed: time.Now(), Paused: i%2 == 0, Want: []Want{WantUp, WantDown, WantOnce}[i%3], AlarmsOn: i%5 != 0, PID: i * 7919}
		if err := d.WriteStatus(s); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if readErr != nil {
		t.Fatalf("reader saw a bad status file after %d good reads: %v", reads, readErr)
	}
	t.Logf("%d concurrent reads", reads)
}

// Several goroutines may write at once (they share status.new).
func TestWriteStatusConcurrentWriters(t *testing.T) {
	d := openTemp(t)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				if err := d.WriteStatus(Status{Want: WantUp, PID: g*1000 + i}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if _, err := ReadStatus(d.Path()); err != nil {
		t.Fatal(err)
	}
}

// A FIFO or a directory where a file of the status directory should be is an
// error at once for its readers, never a read that waits for a writer.
func TestReadNonRegularReturnsAtOnce(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "status"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "state.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	go func() {
		_, err := ReadStatus(dir)
		done <- err
	}()
	go func() {
		_, err := ReadState(dir)
		done <- err
	}()
	for range 2 {
		select {
		case err := <-done:
			if err == nil {
				t.Error("a read of a FIFO or a directory succeeded")
			}
		case <-testkit.Within():
			t.Fatal("a read of a FIFO or a directory blocks")
		}
	}
}
