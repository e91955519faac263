package statusfs

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// A status directory is used only through a descriptor of it: svman opens
// status_dir/NAME relative to a descriptor of status_dir, without following a
// symbolic link, checks the descriptor (owner, mode), and then creates, opens,
// renames and removes every file of the directory relative to that descriptor
// with one path component each. Nobody can swap a directory or plant a link
// under svman between its check and its use.
//
// A Dir holds no descriptor of its directory between uses: each use opens it
// so, from the descriptor of status_dir that the process shares (sharedroot.go),
// checks it again, and refuses it unless it is the directory the Dir set up
// (Open, Repair), so that a supervised module costs one descriptor less.

// Modes of what svman creates in a status directory.
const (
	dirMode  = 0o700 // the module's directory, unless a log mode lets a group or others read
	fileMode = 0o600 // lock, FIFOs, status, module.json, state.json, logs
)

// noOpenat2 is set once openat2 failed with ENOSYS (an older kernel) or EPERM (a
// seccomp filter that does not know it): openAt then goes straight to openat.
var noOpenat2 atomic.Bool

// openAt opens name, a single path component, relative to the directory
// descriptor dirfd, never following a symbolic link: with openat2 and
// RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH where the kernel has it, else with openat
// and O_NOFOLLOW (which, for one component, refuses the same links). O_CLOEXEC is
// added; EINTR is retried. A link at name fails with ELOOP.
func openAt(dirfd int, name string, flag int, perm uint32) (int, error) {
	flag |= unix.O_CLOEXEC | unix.O_NOFOLLOW
	for {
		var fd int
		var err error
		if !noOpenat2.Load() {
			how := unix.OpenHow{Flags: uint64(flag), Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_BENEATH}
			if flag&unix.O_CREAT != 0 {
				how.Mode = uint64(perm)
			}
			fd, err = unix.Openat2(dirfd, name, &how)
			if err == unix.ENOSYS || err == unix.EPERM {
				noOpenat2.Store(true)
				continue
			}
		} else {
			fd, err = unix.Openat(dirfd, name, flag, perm)
		}
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// openRoot opens status_dir, creating it (and its parents, mode 0700) first if
// create is true and it is missing.
// The path given may go through symbolic links (its parents are not checked, as
// sshd's StrictModes does not check them); the directory itself is refused if others
// may write into it, sticky bit or not: they could plant or swap a module's
// directory, or fill status_dir. It must belong to svman's user or to root.
func openRoot(root string, create bool) (int, error) {
	if create {
		if err := os.MkdirAll(root, dirMode); err != nil {
			return -1, fmt.Errorf("create status_dir: %w", err)
		}
	}
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: root, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, &os.PathError{Op: "fstat", Path: root, Err: err}
	}
	euid := os.Geteuid()
	switch {
	case st.Mode&0o002 != 0:
		unix.Close(fd)
		return -1, fmt.Errorf("status_dir %s is writable by others (mode %#o): any user could plant a link or a directory of their own in place of a module's; fix it with `chmod o-w %s`, or choose a status_dir that svman's user (uid %d) owns", root, st.Mode&0o7777, root, euid)
	case int(st.Uid) != euid && st.Uid != 0:
		unix.Close(fd)
		return -1, fmt.Errorf("status_dir %s is owned by uid %d, neither svman's user (uid %d) nor root: its owner could swap the modules' directories; chown it to uid %d, or choose a status_dir that svman's user owns", root, st.Uid, euid, euid)
	}
	return fd, nil
}

// openModuleDir opens root/name as a module's status directory, as
// openModuleDirAt does, through a descriptor of root opened (and checked) for
// this call alone: for the uses of a directory nobody holds (AppendLog, a Dir
// after Close).
func openModuleDir(root, name string, want uint32, create bool) (fd int, fixed uint32, err error) {
	rootfd, err := openRoot(root, create)
	if err != nil {
		return -1, 0, err
	}
	defer unix.Close(rootfd)
	fd, _, fixed, err = openModuleDirAt(rootfd, root, name, want, create)
	return fd, fixed, err
}

// openModuleDirAt opens name in the status_dir rootfd (whose path is root) as a
// module's status directory: created with mkdirat (mode want) when create is
// true, then opened and checked as openDirAt does. Its permission bits are set
// to want; when they were more open (a 0755 directory made by `mkdir -p`), the
// old ones are returned in fixed (0 otherwise), for the caller to say so. st is
// the directory's status, as opened.
func openModuleDirAt(rootfd int, root, name string, want uint32, create bool) (fd int, st unix.Stat_t, fixed uint32, err error) {
	p := filepath.Join(root, name)
	if create {
		if err := unix.Mkdirat(rootfd, name, want); err != nil && err != unix.EEXIST {
			return -1, st, 0, &os.PathError{Op: "mkdir", Path: p, Err: err}
		}
	}
	if fd, st, err = openDirAt(rootfd, root, name); err != nil {
		return -1, st, 0, err
	}
	if perm := st.Mode & 0o777; perm != want {
		if err := unix.Fchmod(fd, want|st.Mode&0o7000); err != nil {
			unix.Close(fd)
			return -1, st, 0, &os.PathError{Op: "chmod", Path: p, Err: err}
		}
		if perm&^want != 0 {
			fixed = perm
		}
	}
	return fd, st, fixed, nil
}

// openDirAt opens name in the status_dir rootfd (whose path is root) with
// O_NOFOLLOW|O_DIRECTORY (a link there is refused, with a message that says
// so) and checks it on the descriptor: it must belong to svman's user and not
// be writable by group or others. st is its status.
func openDirAt(rootfd int, root, name string) (fd int, st unix.Stat_t, err error) {
	p := filepath.Join(root, name)
	fd, err = openAt(rootfd, name, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		var lst unix.Stat_t
		if unix.Fstatat(rootfd, name, &lst, unix.AT_SYMLINK_NOFOLLOW) == nil && lst.Mode&unix.S_IFMT == unix.S_IFLNK {
			return -1, st, fmt.Errorf("status directory %s is a symbolic link: svman never follows a link in a status directory, since whoever made it could have svman write where the link points; remove it (svman creates the directory)", p)
		}
		return -1, st, &os.PathError{Op: "open", Path: p, Err: err}
	}
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, st, &os.PathError{Op: "fstat", Path: p, Err: err}
	}
	if err := checkStat(&st, p, "status directory", "chmod go-w"); err != nil {
		unix.Close(fd)
		return -1, st, err
	}
	return fd, st, nil
}

// fileID is what tells one file from another: its device and inode numbers.
type fileID struct{ dev, ino uint64 }

func idOf(st *unix.Stat_t) fileID { return fileID{uint64(st.Dev), st.Ino} }

// checkStat refuses st, the status of path, if it is owned by another user than the
// effective uid or writable by group or others: whoever can write into the status
// directory (or into its FIFOs) can send `d` to the module.
func checkStat(st *unix.Stat_t, path, what, fix string) error {
	if euid := os.Geteuid(); int(st.Uid) != euid {
		return fmt.Errorf("%s %s is owned by uid %d, not by the supervising user (uid %d): its owner could control the module; chown it to uid %d or use another status_dir", what, path, st.Uid, euid, euid)
	}
	if perm := st.Mode & 0o7777; perm&0o022 != 0 {
		return fmt.Errorf("%s %s is writable by group or others (mode %#o): anyone could send commands to the module; fix it with `%s %s` or use another status_dir", what, path, perm, fix, path)
	}
	return nil
}
