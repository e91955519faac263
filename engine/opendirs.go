package engine

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"

	"svman/internal/proc"
	"svman/manifest"
	"svman/statusfs"
)

// dirOptions are how mod's status directory is opened.
func dirOptions(mod manifest.Module) statusfs.Options {
	return statusfs.Options{LogMode: mod.Log.Mode}
}

// openDirs locks the status directory of every module to add (whose settings
// byName holds); none of them is still stopping after a removal (apply). With all true, one failure closes every directory opened so far.
// A directory found more open than the module's log mode allows was closed up by
// Open, which logged a NOTICE; the console hears of it too, once.
func (e *Engine) openDirs(statusDir string, names []string, byName map[string]*manifest.Module, all bool) (map[string]*statusfs.Dir, error) {
	dirs := make(map[string]*statusfs.Dir, len(names))
	var errs []error
	for _, name := range names {
		dir, err := statusfs.OpenWith(filepath.Join(statusDir, name), dirOptions(*byName[name]))
		if err != nil {
			if errors.Is(err, syscall.EMFILE) {
				err = fmt.Errorf("%w; %s", err, proc.FileLimitHint(len(names)))
			}
			errs = append(errs, fmt.Errorf("module %s: %w", name, err))
			if all {
				break
			}
			continue
		}
		if was := dir.FixedMode(); was != 0 {
			e.emit(Event{Module: name, Kind: Warning, Err: fmt.Errorf("status directory %s was mode %#o, readable by others: svman set it to %#o", dir.Path(), was, dir.Mode())})
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
