package statusfs

import (
	"time"

	"svman/internal/rotation"
)

// rotatedName: the naming of rotated logs, shared with the modules' __stdout and
// __stderr so that one reader handles both.
var (
	rotatedName = rotation.Name
	rotatedLogs = rotation.Files
)

// rotateLogAt renames the log name of the directory dirfd (whose path is dir) to its
// rotated name at t and deletes its rotated logs beyond the newest keep, all
// through the descriptor.
func rotateLogAt(dirfd int, dir, name string, t time.Time, keep int) error {
	to := rotation.NameIn(func(n string) bool { return existsAt(dirfd, n) }, name, t)
	if err := renameAt(dirfd, dir, name, to); err != nil {
		return err
	}
	names, err := namesAt(dirfd, dir)
	if err != nil {
		return err
	}
	return rotation.PruneIn(names, name, keep, func(n string) error { return removeAt(dirfd, dir, n) })
}
