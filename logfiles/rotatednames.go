package logfiles

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

// The names of rotated log files: how a File names the file it rotates, and how
// the readers list a stream's rotated files. svman's own supervise.log (statusfs)
// is rotated under the same names, so that one reader handles both.

// rotatedLayout is the time in a rotated file's name, local time without offset:
// __stdout.2026-11-23T15-04-05.000.
const rotatedLayout = "2006-01-02T15-04-05.000"

// RotatedName is the name a file gets when it is rotated at t: path + "." + t in
// rotatedLayout, with "-1", "-2"... appended if that name exists.
func RotatedName(path string, t time.Time) string {
	return RotatedNameIn(func(try string) bool { _, err := os.Lstat(try); return err == nil }, path, t)
}

// RotatedNameIn is RotatedName for a directory reached through exists, which
// tells whether a file of that name is there (a link counts): base + "." + t in
// rotatedLayout, with "-1", "-2"... appended while exists says the name is taken.
func RotatedNameIn(exists func(name string) bool, base string, t time.Time) string {
	name := base + "." + t.Format(rotatedLayout)
	for i := 0; ; i++ {
		try := name
		if i > 0 {
			try += "-" + strconv.Itoa(i)
		}
		// Any error but "exists" ends the search: the rename reports what is wrong.
		if !exists(try) {
			return try
		}
	}
}

// RotatedFiles returns the rotated files of path (as RotatedName names them),
// oldest first: by the time in their names, then by their "-N" suffix (so "-10"
// comes after "-9"). Together with path itself, last, they hold the whole log in
// order. Other files that merely start with the same name (supervise.log.wf for
// supervise.log) are not among them.
func RotatedFiles(path string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	all := make([]string, len(ents))
	for i, e := range ents {
		all[i] = e.Name()
	}
	names := rotatedIn(all, filepath.Base(path))
	for i, n := range names {
		names[i] = filepath.Join(filepath.Dir(path), n)
	}
	return names, nil
}

// rotatedIn returns, of the names of a directory's entries, those of the rotated
// files of base, oldest first, as RotatedFiles orders them.
func rotatedIn(entries []string, base string) []string {
	type rotated struct {
		name, stamp string
		seq         int
	}
	prefix := base + "."
	var found []rotated
	for _, e := range entries {
		if stamp, seq, ok := parseRotated(e, prefix); ok {
			found = append(found, rotated{e, stamp, seq})
		}
	}
	slices.SortFunc(found, func(a, b rotated) int {
		return cmp.Or(strings.Compare(a.stamp, b.stamp), cmp.Compare(a.seq, b.seq))
	})
	names := make([]string, len(found))
	for i, r := range found {
		names[i] = r.name
	}
	return names
}

// parseRotated tells whether name is prefix + a rotatedLayout time + an optional
// "-N" (N >= 1, without leading zeros), and returns the time text and N (0 when
// absent).
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
	if err != nil || n < 1 || strconv.Itoa(n) != digits {
		return "", 0, false
	}
	return stamp, n, true
}

// PruneRotatedIn deletes the rotated files of base beyond the newest keep, in a
// directory reached through its entries' names and remove, which removes one of
// them.
func PruneRotatedIn(entries []string, base string, keep int, remove func(name string) error) error {
	return removeOldest(rotatedIn(entries, base), keep, remove)
}

// removeOldest removes the names, oldest first, beyond the newest keep.
func removeOldest(names []string, keep int, remove func(string) error) error {
	var errs []error
	for _, n := range names[:max(len(names)-keep, 0)] {
		if err := remove(n); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
