package proc

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"

	"svman/statusfs"
)

// FilesPerModule is how many files svman holds open for a supervised module
// while it runs: its lock, its control and ok FIFOs, and the read ends of its
// two output pipes. Its status directory is opened for each use, relative to
// status_dir's one descriptor, and its status files and supervise logs for
// each write: those are counted in the reserve, since they are bounded for the
// whole process.
//
// A module's log files are counted in the reserve too: svman bounds how many
// are open at once (LogFileSlots).
//
// Not counted: the read end of a notification_fd pipe until the module is ready; the probes' processes and
// sockets (at most probe.DefaultMax attempts at once); and the API's
// connections.
const FilesPerModule = 5

// LogFilesAtLeast is how many log files (__stdout, __stderr) svman may hold
// open at once however tight its open-files limit: the reserve counts them.
// Under a limit that leaves more, it holds up to what the limit leaves
// (LogFileSlots); beyond that, the least recently written give theirs back
// until their next line.
const LogFilesAtLeast = 64

// StartsAtOnce is how many children the engine starts at once; the others
// wait. The reaper forks at most maxForkers at a time anyway, so the bound costs
// no start time, but each start holds descriptors of its own until its child is forked
// (filesPerStart), which without it would add up over thousands of modules
// started together.
const StartsAtOnce = 16

// filesPerStart is the most descriptors one start holds beside the module's
// own: the write ends of the two output pipes and both ends of a notification
// pipe, and one to spare (every start shares the System's /dev/null, among
// selfFiles).
const filesPerStart = 5

// selfFiles is what svman holds whatever it supervises: the console, the
// runtime's poller, the inotify watches of the status directories and of the
// manifest, the reaper's exec pipe, status_dir's descriptor and lock, the API
// socket, with room to spare.
const selfFiles = 64

// fileReserve is what svman may hold open beside FilesPerModule for each
// module: its own files, and those it bounds for the whole process: the
// directory operations (statusfs.DirOpFiles), the starts under way and the log
// files.
const fileReserve = selfFiles + statusfs.DirOpFiles + StartsAtOnce*filesPerStart + LogFilesAtLeast

// CheckFileLimit refuses a manifest of n modules that the open-files limit
// cannot hold: better none started, and a clear message, than some modules
// failing at random to open their pipes.
func CheckFileLimit(n int) error {
	limit, ok := fileLimit()
	if !ok || FilesNeeded(n) <= limit {
		return nil
	}
	return fmt.Errorf("too many modules for the open-files limit: %s", fileLimitHint(n, limit))
}

// LogFileSlots is how many log files svman may hold open at once while it
// supervises n modules (for logfiles.SetMaxOpen): what the open-files limit
// leaves beside FilesNeeded(n) and LogFilesAtLeast; 0, no bound, when the
// limit is unknown or infinite. With a generous limit no log file is ever
// closed for another.
func LogFileSlots(n int) int {
	limit, ok := fileLimit()
	if !ok || limit >= 1<<31 {
		return 0
	}
	if need := FilesNeeded(n); limit > need {
		return LogFilesAtLeast + int(limit-need)
	}
	return LogFilesAtLeast
}

// fileLimit is the open-files limit; false when it is unknown or infinite.
func fileLimit() (uint64, bool) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur == unix.RLIM_INFINITY {
		return 0, false
	}
	return lim.Cur, true
}

// FilesNeeded is the least open-files limit (RLIMIT_NOFILE) under which svman
// can supervise n modules, whatever they write: what CheckFileLimit asks
// of the running svman, and what a unit that runs svman up (svman export
// systemd --self) must allow. It is an upper bound at any n, however many
// modules start, stop or write their status at once.
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
	return fmt.Sprintf("svman holds %d files open per module and up to %d of its own and of its modules' logs, and may open %d (ulimit -n): for %d modules raise the limit to at least %d (ulimit -n as root, LimitNOFILE= in a systemd unit), or supervise fewer modules",
		FilesPerModule, fileReserve, limit, n, FilesNeeded(n))
}
