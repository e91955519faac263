package logfiles

import (
	"fmt"
	"time"
)

// A File's rotation: the file renamed at a line boundary when it would pass
// MaxSize, a new one opened, and the rotated files beyond Keep deleted.

// rotate renames the file to RotatedName(path, t), opens a new one and starts the pruning of
// old rotated files. On failure the writer goes on with the file it has, and tries again no
// sooner than rotateRetry later. The caller holds f.mu and is at a line boundary.
func (f *File) rotate(t time.Time) {
	if t.Before(f.retryAt) {
		return
	}
	f.flushLocked()
	if f.detached == "" {
		rotated := RotatedNameIn(f.dir.Exists, f.name, t)
		if err := f.dir.Rename(f.name, rotated); err != nil {
			f.rotateFailed(t, err)
			return
		}
		f.detached = rotated
	}
	// The renamed file is closed before the new one is opened: a File holds
	// one descriptor at most, the one its slot counts (SetMaxOpen).
	if err := f.f.Close(); err != nil {
		f.err = err
	}
	f.f = nil
	nf, err := f.openFile(f.name)
	if err != nil {
		// Go on writing to the renamed file: it is kept like any rotated one.
		f.rotateFailed(t, err)
		if f.f, err = f.openFile(f.detached); err != nil {
			f.f, f.err = nil, err // open opens it again at the next line
		}
		return
	}
	f.f, f.size, f.detached = nf, 0, ""
	f.retryAt = time.Time{}
	if f.pruning {
		f.pruneAgain = true
		return
	}
	f.pruning = true
	f.pruneWG.Add(1)
	go f.prune()
}

func (f *File) rotateFailed(t time.Time, err error) {
	f.err = fmt.Errorf("rotate log file: %w", err)
	f.retryAt = t.Add(rotateRetry)
}

// prune deletes the rotated files beyond Keep, again as long as rotations happen meanwhile.
func (f *File) prune() {
	defer f.pruneWG.Done()
	f.mu.Lock()
	for {
		keep := f.opts.Keep
		f.pruneAgain = false
		f.mu.Unlock()
		err := f.pruneRotated(keep)
		f.mu.Lock()
		if err != nil {
			f.err = err
		}
		if !f.pruneAgain {
			f.pruning = false
			f.mu.Unlock()
			return
		}
	}
}

// pruneRotated deletes the rotated files of the file beyond the newest keep.
func (f *File) pruneRotated(keep int) error {
	names, err := f.dir.Names()
	if err != nil {
		return fmt.Errorf("prune rotated log files: %w", err)
	}
	return PruneRotatedIn(names, f.name, keep, f.dir.Remove)
}
