package engine

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"

	"svman/statusfs"
)

// openDirs locks the status directory of every module to add. With all true, one
// failure closes every directory opened so far.
func (e *Engine) openDirs(statusDir string, names []string, all bool) (map[string]*statusfs.Dir, error) {
	dirs := make(map[string]*statusfs.Dir, len(names))
	var errs []error
	for _, name := range names {
		if s, ok := e.draining[name]; ok {
			// The same name was removed a moment ago: its supervisor must let go
			// of the lock before a new one can take it.
			<-s.done
			delete(e.draining, name)
		}
		dir, err := statusfs.Open(filepath.Join(statusDir, name))
		if err != nil {
			if errors.Is(err, syscall.EMFILE) {
				var lim syscall.Rlimit
				_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
				err = fmt.Errorf("%w; %s", err, fileLimitHint(len(names), lim.Cur))
			}
			errs = append(errs, fmt.Errorf("module %s: %w", name, err))
			if all {
				break
			}
			continue
		}
		dirs[name] = dir
	}
	if len(errs) > 0 && all {
		for _, d := range dirs {
			d.Close()
		}
		return nil, errors.Join(errs...)
	}
	return dirs, errors.Join(errs...)
}
