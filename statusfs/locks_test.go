package statusfs

import (
	"strings"
	"testing"
)

func TestFindLockHolder(t *testing.T) {
	const table = `1: POSIX  ADVISORY  WRITE 700 fd:01:1234 0 EOF
2: FLOCK  ADVISORY  WRITE 4242 08:01:5555 0 EOF
2: -> FLOCK  ADVISORY  WRITE 4343 08:01:5555 0 EOF
3: OFDLCK ADVISORY  READ  -1 08:01:6666 0 EOF
4: FLOCK  ADVISORY  WRITE 900 00:2c:7777 0 EOF
5: FLOCK  ADVISORY  WRITE 901 00:2d:8888 0 EOF
6: FLOCK  ADVISORY  WRITE 902 00:2e:8888 0 EOF
garbage
`
	for _, c := range []struct {
		name              string
		major, minor, ino uint64
		pid               int
		ok                bool
	}{
		{"flock, waiter skipped", 8, 1, 5555, 4242, true},
		{"posix lock, hex device", 0xfd, 1, 1234, 700, true},
		{"ofd lock has no pid", 8, 1, 6666, 0, false},
		{"no lock", 8, 1, 1, 0, false},
		{"other device, same inode", 8, 1, 1234, 700, true},
		{"device differs (btrfs, overlayfs)", 0, 0x99, 7777, 900, true},
		{"inode alone is ambiguous", 0, 0x99, 8888, 0, false},
		{"exact match beats ambiguity", 0, 0x2e, 8888, 902, true},
	} {
		pid, ok := readLockTable(strings.NewReader(table)).holder(c.major, c.minor, c.ino)
		if pid != c.pid || ok != c.ok {
			t.Errorf("%s: got %d, %v; want %d, %v", c.name, pid, ok, c.pid, c.ok)
		}
	}
}

func TestLockHolderNone(t *testing.T) {
	if pid, ok := LockHolder(t.TempDir()); ok {
		t.Errorf("LockHolder of a dir with no lock file = %d", pid)
	}
}
