package statusfs

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// LockTable is /proc/locks read once, for the lock holders of many status
// directories: LockHolder reads the whole table for each.
type LockTable struct {
	byInode map[uint64][]lockEntry
}

type lockEntry struct {
	pid        int
	major, min uint64
}

// ReadLocks reads /proc/locks; a table that cannot be read is empty.
func ReadLocks() *LockTable {
	f, err := os.Open(procLocks)
	if err != nil {
		return &LockTable{}
	}
	defer f.Close()
	return readLockTable(f)
}

// readLockTable reads a /proc/locks table: "ID: TYPE MODE ACCESS PID
// MAJ:MIN:INODE START END", MAJ and MIN in hex; waiters ("->") are skipped,
// and so are the locks that tell no pid (OFD locks show -1, those of
// processes outside our pid namespace 0).
func readLockTable(r io.Reader) *LockTable {
	t := &LockTable{byInode: make(map[uint64][]lockEntry)}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] == "->" {
			continue
		}
		pid, err := strconv.Atoi(fields[4])
		if err != nil || pid <= 0 {
			continue
		}
		id := strings.Split(fields[5], ":")
		if len(id) != 3 {
			continue
		}
		maj, err1 := strconv.ParseUint(id[0], 16, 32)
		min, err2 := strconv.ParseUint(id[1], 16, 32)
		in, err3 := strconv.ParseUint(id[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		t.byInode[in] = append(t.byInode[in], lockEntry{pid, maj, min})
	}
	return t
}

// LockHolder is the package's LockHolder(dir), answered from t.
func (t *LockTable) LockHolder(dir string) (pid int, ok bool) {
	return t.holderOf(filepath.Join(dir, lockName))
}

// holderOf is the holder of a lock on the file at path, by t.
func (t *LockTable) holderOf(path string) (pid int, ok bool) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return 0, false
	}
	return t.holder(uint64(unix.Major(uint64(st.Dev))), uint64(unix.Minor(uint64(st.Dev))), uint64(st.Ino))
}

// holder is the pid holding a lock on the file (major:minor, ino). The device
// is matched when it can be (see LockHolder); else a lock matching the inode
// alone counts if all such locks name the same pid.
func (t *LockTable) holder(major, minor, ino uint64) (pid int, ok bool) {
	inodeOnly := 0
	for _, e := range t.byInode[ino] {
		if e.major == major && e.min == minor {
			return e.pid, true
		}
		switch inodeOnly {
		case 0:
			inodeOnly = e.pid
		case e.pid:
		default:
			inodeOnly = -1
		}
	}
	if inodeOnly > 0 {
		return inodeOnly, true
	}
	return 0, false
}
