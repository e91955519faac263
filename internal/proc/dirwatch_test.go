package proc

import (
	"os"
	"path/filepath"
	"testing"

	"svman/internal/testkit"
)

// watchedDir is a directory watched by w, and the channel its repairs go to.
func watchedDir(t *testing.T, w *DirWatch) (string, chan struct{}) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "status"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	repairs := make(chan struct{}, 1)
	if err := w.Add(dir, func() { notifyOnce(repairs) }); err != nil {
		t.Fatal(err)
	}
	return dir, repairs
}

func notifyOnce(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func restoredStatus(name string) bool { return name == "status" }

// A file the owner restores, deleted, asks for a repair.
func TestDirWatchAsksForRepair(t *testing.T) {
	w, err := NewDirWatch(restoredStatus)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	dir, repairs := watchedDir(t, w)
	if err := os.Remove(filepath.Join(dir, "status")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-repairs:
	case <-testkit.Within():
		t.Fatal("no repair asked for after status was deleted")
	}
}

// StopAll lets every directory go at once: the descriptor is closed (every
// watch dropped) without waiting for Close, nothing is repaired or watched
// any more, and Close then returns.
func TestDirWatchStopAll(t *testing.T) {
	w, err := NewDirWatch(restoredStatus)
	if err != nil {
		t.Fatal(err)
	}
	dir, repairs := watchedDir(t, w)
	w.StopAll()
	select {
	case <-w.closed:
	case <-testkit.Within():
		t.Fatal("the inotify descriptor is still open after StopAll")
	}
	if err := os.Remove(filepath.Join(dir, "status")); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(t.TempDir(), func() {}); err == nil {
		t.Error("Add after StopAll succeeded")
	}
	w.Remove(dir)
	closed := make(chan struct{})
	go func() { w.Close(); close(closed) }()
	select {
	case <-closed:
	case <-testkit.Within():
		t.Fatal("Close did not return after StopAll")
	}
	select {
	case <-repairs:
		t.Error("a repair was asked for after StopAll")
	default:
	}
}
