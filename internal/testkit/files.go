package testkit

import (
	"errors"
	"syscall"
	"testing"
)

// LimitOpenFiles lowers the open-files limit of the test process to n until
// the test ends; it skips the test if the limit is lower already.
func LimitOpenFiles(t testing.TB, n uint64) {
	t.Helper()
	var was syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &was); err != nil {
		t.Fatal(err)
	}
	if was.Cur < n {
		t.Skipf("the open-files limit is %d already, under the %d the test sets", was.Cur, n)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: was.Max}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &was); err != nil && !errors.Is(err, syscall.EPERM) {
			t.Error(err)
		}
	})
}
