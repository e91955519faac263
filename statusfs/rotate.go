package statusfs

import (
	"os"
	"time"

	"svman/internal/rotation"
)

// rotatedName, rotatedLogs: the naming of rotated logs, shared with the modules'
// __stdout and __stderr so that one reader handles both.
var (
	rotatedName = rotation.Name
	rotatedLogs = rotation.Files
)

// rotateLog renames the log at path to rotatedName(path, t) and deletes its rotated logs
// beyond the newest keep.
func rotateLog(path string, t time.Time, keep int) error {
	if err := os.Rename(path, rotatedName(path, t)); err != nil {
		return err
	}
	return rotation.Prune(path, keep)
}
