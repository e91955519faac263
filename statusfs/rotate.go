package statusfs

import (
	"time"

	"svman/logfiles"
)

// rotateLogAt renames the log name of the directory dirfd (whose path is dir) to its
// rotated name at t and deletes its rotated logs beyond the newest keep, all through
// the descriptor. The names are those of the modules' __stdout and __stderr
// (logfiles.RotatedName), so that one reader handles both.
func rotateLogAt(dirfd int, dir, name string, t time.Time, keep int) error {
	to := logfiles.RotatedNameIn(func(n string) bool { return existsAt(dirfd, n) }, name, t)
	if err := renameAt(dirfd, dir, name, to); err != nil {
		return err
	}
	names, err := namesAt(dirfd, dir)
	if err != nil {
		return err
	}
	return logfiles.PruneRotatedIn(names, name, keep, func(n string) error { return removeAt(dirfd, dir, n) })
}
