package statusfs

import (
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// rotatedLayout is the time in the name of a rotated log: supervise.log.2026-11-23T15-04-05.000.
// The naming is the same as logmux.RotatedName's for a module's __stdout and __stderr (statusfs
// is a leaf package, so it has its own copy): keep the two identical.
const rotatedLayout = "2006-01-02T15-04-05.000"

// rotatedName is the name the log at path gets when it is rotated at t: path + "." + t in
// rotatedLayout, with "-1", "-2"... appended if that name exists.
func rotatedName(path string, t time.Time) string {
	name := path + "." + t.Format(rotatedLayout)
	for i := 0; ; i++ {
		try := name
		if i > 0 {
			try += "-" + strconv.Itoa(i)
		}
		// Any error but "exists" ends the search: the rename reports what is wrong.
		if _, err := os.Lstat(try); err != nil {
			return try
		}
	}
}

// rotatedLogs returns the rotated logs of path, oldest first: by the time in their names,
// then by their "-N" suffix. Other files, such as supervise.log.wf for supervise.log, are
// not among them.
func rotatedLogs(path string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	type rotated struct {
		name, stamp string
		seq         int
	}
	prefix := filepath.Base(path) + "."
	var found []rotated
	for _, e := range ents {
		if stamp, seq, ok := parseRotated(e.Name(), prefix); ok {
			found = append(found, rotated{e.Name(), stamp, seq})
		}
	}
	slices.SortFunc(found, func(a, b rotated) int {
		return cmp.Or(strings.Compare(a.stamp, b.stamp), cmp.Compare(a.seq, b.seq))
	})
	names := make([]string, len(found))
	for i, r := range found {
		names[i] = filepath.Join(filepath.Dir(path), r.name)
	}
	return names, nil
}

// parseRotated tells whether name is prefix + a rotatedLayout time + an optional "-N"
// (N >= 1, without leading zeros), and returns the time text and N (0 when absent).
func parseRotated(name, prefix string) (stamp string, seq int, ok bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || len(rest) < len(rotatedLayout) {
		return "", 0, false
	}
	stamp, suffix := rest[:len(rotatedLayout)], rest[len(rotatedLayout):]
	if _, err := time.Parse(rotatedLayout, stamp); err != nil {
		return "", 0, false
	}
	if suffix == "" {
		return stamp, 0, true
	}
	digits, ok := strings.CutPrefix(suffix, "-")
	if !ok || digits == "" || digits[0] == '0' {
		return "", 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || strconv.Itoa(n) != digits {
		return "", 0, false
	}
	return stamp, n, true
}

// rotateLog renames the log at path to rotatedName(path, t) and deletes its rotated logs
// beyond the newest keep.
func rotateLog(path string, t time.Time, keep int) error {
	if err := os.Rename(path, rotatedName(path, t)); err != nil {
		return err
	}
	names, err := rotatedLogs(path)
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range names[:max(len(names)-keep, 0)] {
		if err := os.Remove(n); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
