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

// procLocks is the kernel's table of file locks.
const procLocks = "/proc/locks"

// LockHolder returns the pid of the process holding a lock on dir/lock, as found in
// /proc/locks, and ok=false if there is none or it cannot be told. Any lock type
// counts (FLOCK from svman, POSIX from a supervise built with lockf).
//
// A /proc/locks line reads "ID: TYPE MODE ACCESS PID MAJ:MIN:INODE START END", with
// MAJ and MIN in hex; waiters are marked "->" and skipped. The device is matched when
// it can be: on btrfs and overlayfs stat's st_dev differs from the superblock device
// that /proc/locks prints, so when nothing matches device and inode, a lock matching
// the inode alone is accepted if all such locks name the same pid.
func LockHolder(dir string) (pid int, ok bool) {
	return holderOf(filepath.Join(dir, lockName))
}

// holderOf is LockHolder for the file at path.
func holderOf(path string) (pid int, ok bool) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return 0, false
	}
	f, err := os.Open(procLocks)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	return findLockHolder(f, uint64(unix.Major(uint64(st.Dev))), uint64(unix.Minor(uint64(st.Dev))), uint64(st.Ino))
}

// findLockHolder scans a /proc/locks table for a lock on the file (major:minor, ino).
func findLockHolder(r io.Reader, major, minor, ino uint64) (int, bool) {
	inodeOnly := 0 // the pid of locks that match the inode only; -1 when they disagree
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] == "->" {
			continue
		}
		pid, err := strconv.Atoi(fields[4])
		if err != nil || pid <= 0 {
			// OFD locks show -1 and locks of processes outside our pid namespace 0:
			// neither tells a pid.
			continue
		}
		id := strings.Split(fields[5], ":")
		if len(id) != 3 {
			continue
		}
		maj, err1 := strconv.ParseUint(id[0], 16, 32)
		min, err2 := strconv.ParseUint(id[1], 16, 32)
		in, err3 := strconv.ParseUint(id[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil || in != ino {
			continue
		}
		if maj == major && min == minor {
			return pid, true
		}
		switch inodeOnly {
		case 0:
			inodeOnly = pid
		case pid:
		default:
			inodeOnly = -1
		}
	}
	if inodeOnly > 0 {
		return inodeOnly, true
	}
	return 0, false
}
