package statusfs

import (
	"os"

	"golang.org/x/sys/unix"
)

// Options are how a status directory is opened.
type Options struct {
	// LogMode is the mode of the log files (__stdout, __stderr, supervise.log and
	// their rotations): 0 means 0600; 0640 or 0644 let the directory's group (or
	// everyone) read them, and the directory is then 0750 (or 0755). Nothing of the
	// directory is ever writable by group or others.
	LogMode uint32
}

// logMode is the mode of the log files.
func (o Options) logMode() uint32 {
	if o.LogMode == 0 {
		return fileMode
	}
	return o.LogMode
}

// dirMode is the mode of the directory: 0700, plus read and search for whoever the
// log mode lets read.
func (o Options) dirMode() uint32 {
	m := uint32(dirMode)
	if o.LogMode&0o040 != 0 {
		m |= 0o050
	}
	if o.LogMode&0o004 != 0 {
		m |= 0o005
	}
	return m
}

// Mode is the permission the directory has: 0700, or 0750 or 0755 for logs
// that the group or everyone may read.
func (d *Dir) Mode() uint32 {
	d.fdMu.RLock()
	defer d.fdMu.RUnlock()
	return d.opts.dirMode()
}

// LogMode is the permission of the directory's log files, as Options.LogMode says.
func (d *Dir) LogMode() os.FileMode {
	d.fdMu.RLock()
	defer d.fdMu.RUnlock()
	return os.FileMode(d.opts.logMode())
}

// SetOptions applies o (a reloaded log mode): the directory gets its mode at once,
// supervise.log and supervise.log.wf at their next line.
func (d *Dir) SetOptions(o Options) error {
	d.fdMu.Lock()
	changed, held := o != d.opts, d.shared != nil
	d.opts = o
	d.fdMu.Unlock()
	if !changed || !held {
		return nil
	}
	return d.useDir(func(dirfd int) error {
		if err := unix.Fchmod(dirfd, o.dirMode()); err != nil {
			return &os.PathError{Op: "chmod", Path: d.path, Err: err}
		}
		return nil
	})
}
