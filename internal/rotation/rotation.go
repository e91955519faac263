// Package rotation names, lists and prunes rotated log files, for the module logs
// (logmux) and svman's own supervise.log (statusfs) alike: one naming, so that
// `svman logs` reads both the same way.
package rotation

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Layout is the time in a rotated file's name: __stdout.2026-11-23T15-04-05.000.
const Layout = "2006-01-02T15-04-05.000"

// Name is the name a file gets when it is rotated at t: path + "." + t in Layout,
// with "-1", "-2"... appended if that name exists.
func Name(path string, t time.Time) string {
	return NameIn(func(try string) bool { _, err := os.Lstat(try); return err == nil }, path, t)
}

// NameIn is Name for a directory reached through exists, which tells whether a
// file of that name is there (a link counts): base + "." + t in Layout, with "-1",
// "-2"... appended while exists says the name is taken.
func NameIn(exists func(name string) bool, base string, t time.Time) string {
	name := base + "." + t.Format(Layout)
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

// Files returns the rotated files of path (as Name names them), oldest first: by
// the time in their names, then by their "-N" suffix (so "-10" comes after "-9").
// Together with path itself, last, they hold the whole log in order. Other files
// that merely start with the same name (supervise.log.wf for supervise.log) are not
// among them.
func Files(path string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	all := make([]string, len(ents))
	for i, e := range ents {
		all[i] = e.Name()
	}
	names := FilesIn(all, filepath.Base(path))
	for i, n := range names {
		names[i] = filepath.Join(filepath.Dir(path), n)
	}
	return names, nil
}

// FilesIn returns, of the names of a directory's entries, those of the rotated
// files of base, oldest first, as Files orders them.
func FilesIn(entries []string, base string) []string {
	type rotated struct {
		name, stamp string
		seq         int
	}
	prefix := base + "."
	var found []rotated
	for _, e := range entries {
		if stamp, seq, ok := parse(e, prefix); ok {
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

// parse tells whether name is prefix + a Layout time + an optional "-N" (N >= 1,
// without leading zeros), and returns the time text and N (0 when absent).
func parse(name, prefix string) (stamp string, seq int, ok bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || len(rest) < len(Layout) {
		return "", 0, false
	}
	stamp, suffix := rest[:len(Layout)], rest[len(Layout):]
	if _, err := time.Parse(Layout, stamp); err != nil {
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

// Prune deletes the rotated files of path beyond the newest keep.
func Prune(path string, keep int) error {
	names, err := Files(path)
	if err != nil {
		return fmt.Errorf("prune rotated log files: %w", err)
	}
	return removeOldest(names, keep, os.Remove)
}

// PruneIn is Prune for a directory reached through its entries' names and remove,
// which removes one of them.
func PruneIn(entries []string, base string, keep int, remove func(name string) error) error {
	return removeOldest(FilesIn(entries, base), keep, remove)
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
