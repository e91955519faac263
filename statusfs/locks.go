package statusfs

import (
	"path/filepath"

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

// holderOf is LockHolder for the file at path; /proc/locks is read only
// when the file is there.
func holderOf(path string) (pid int, ok bool) {
	if !exists(path) {
		return 0, false
	}
	return ReadLocks().holderOf(path)
}

// exists reports whether there is a file at path (a link counts as one).
func exists(path string) bool {
	var st unix.Stat_t
	return unix.Lstat(path, &st) == nil
}
