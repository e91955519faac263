package proc

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// FilesPerModule is how many files svman holds open for a module: its status
// directory (every file there is reached through it), its lock, control and ok
// FIFOs and the two output pipes, and its two log files while the module writes.
const FilesPerModule = 8

// CheckFileLimit refuses a manifest of n modules that the open-files limit
// cannot hold: better none started, and a clear message, than some modules
// failing at random to open their pipes.
func CheckFileLimit(n int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur == unix.RLIM_INFINITY {
		return nil
	}
	if FilesNeeded(n) <= lim.Cur {
		return nil
	}
	return fmt.Errorf("too many modules for the open-files limit: %s", fileLimitHint(n, lim.Cur))
}

// fileReserve is what svman keeps for itself beside its modules' files: its
// own log, the manifest watch, the reaper, the console.
const fileReserve = 64

// FilesNeeded is the least open-files limit (RLIMIT_NOFILE) under which svman
// can supervise n modules: what CheckFileLimit asks of the running svman, and
// what a unit that runs svman up (svman export systemd --self) must allow.
func FilesNeeded(n int) uint64 {
	return uint64(n)*FilesPerModule + fileReserve
}

// FileLimitHint says what the open-files limit must be for n modules.
func FileLimitHint(n int) string {
	var lim syscall.Rlimit
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	return fileLimitHint(n, lim.Cur)
}

func fileLimitHint(n int, limit uint64) string {
	return fmt.Sprintf("svman holds up to %d files open per module and may open %d (ulimit -n): for %d modules raise the limit to at least %d (ulimit -n as root, LimitNOFILE= in a systemd unit) or supervise fewer modules",
		FilesPerModule, limit, n, FilesNeeded(n))
}
