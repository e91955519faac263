package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/hashicorp/hcl/v2"

	"svman/internal/atomicfile"
)

// svman scale records the instance counts it sets in ScaleFile, in
// status_dir, so that every command reading the manifest (up and its
// reloads, status, ctl, diff) sees the same modules. A record holds the
// manifest's own instances when it was made: once the manifest says
// something else, the record is stale, and the manifest wins (the next edit
// of that field wins). The file is JSON, one object by module block name:
//
//	{"web": {"instances": 5, "manifest": 3}}
//
// "manifest" is null for a module block without instances (a Procfile's
// process, scaled by svman scale or svman up --formation).

// ScaleFile is the name of the file in status_dir holding svman scale's
// counts. A module name cannot start with ".", so it is never a module's
// status directory.
const ScaleFile = ".svman-scale.json"

// ScaleRecord is one count set by svman scale.
type ScaleRecord struct {
	Instances int `json:"instances"`
	// Manifest is the manifest's instances when the count was set; nil when
	// the block had none.
	Manifest *int `json:"manifest"`
}

// ReadScale reads the counts recorded in statusDir: none (and no error) when
// there is no ScaleFile.
func ReadScale(statusDir string) (map[string]ScaleRecord, error) {
	data, err := os.ReadFile(filepath.Join(statusDir, ScaleFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var recs map[string]ScaleRecord
	if err := json.Unmarshal(data, &recs); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(statusDir, ScaleFile), err)
	}
	for name, r := range recs {
		if r.Instances < 0 || r.Instances > MaxInstances {
			return nil, fmt.Errorf("%s: %s has %d instances, not 0 to %d", filepath.Join(statusDir, ScaleFile), name, r.Instances, MaxInstances)
		}
	}
	return recs, nil
}

// WriteScale replaces the counts recorded in statusDir by recs (removing the
// file when recs is empty), atomically: a reader sees the old file or the
// new one.
func WriteScale(statusDir string, recs map[string]ScaleRecord) error {
	path := filepath.Join(statusDir, ScaleFile)
	if len(recs) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	data, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(statusDir, 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'), 0o644)
}

// UpdateScale changes the counts recorded in statusDir with edit, holding a
// lock on statusDir meanwhile, so that two svman scale at once do not lose
// each other's counts. edit gets the records (never nil) to change in place.
func UpdateScale(statusDir string, edit func(map[string]ScaleRecord) error) error {
	if err := os.MkdirAll(statusDir, 0o700); err != nil {
		return err
	}
	dir, err := os.Open(statusDir)
	if err != nil {
		return err
	}
	defer dir.Close() // releases the lock
	if err := syscall.Flock(int(dir.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("cannot lock %s: %w", statusDir, err)
	}
	recs, err := ReadScale(statusDir)
	if err != nil {
		return err
	}
	if recs == nil {
		recs = map[string]ScaleRecord{}
	}
	if err := edit(recs); err != nil {
		return err
	}
	return WriteScale(statusDir, recs)
}

// Applies reports whether r holds for a block whose instances the manifest
// gives as declared (nil when it gives none).
func (r ScaleRecord) Applies(declared *int) bool {
	if r.Manifest == nil || declared == nil {
		return r.Manifest == nil && declared == nil
	}
	return *r.Manifest == *declared
}

// PruneScale removes from m's status_dir the records that are stale: those
// of a module block m no longer has, and those made against another value
// of its instances than m's (the manifest's field was edited since). Left,
// they would come back to life if the manifest went back to its old value.
// It judges by the manifest's values, not by what m applied, and under the
// lock UpdateScale takes, so that a record svman scale makes while m was
// being applied is kept.
func PruneScale(m *Manifest) error {
	if recs, err := ReadScale(m.StatusDir); err != nil || len(recs) == 0 {
		return err // nothing to prune: leave the directory alone
	}
	blocks := make(map[string]bool, len(m.Modules))
	for _, mod := range m.Modules {
		blocks[mod.Name], blocks[mod.InstanceOf] = true, true
	}
	return UpdateScale(m.StatusDir, func(recs map[string]ScaleRecord) error {
		for name, r := range recs {
			c, counted := m.Instances[name]
			stale := !blocks[name] && !counted
			switch {
			case r.Manifest != nil:
				stale = stale || !counted || c.Declared != *r.Manifest
			case counted && !c.Scaled: // the block has instances now
				stale = true
			}
			if stale {
				delete(recs, name)
			}
		}
		return nil
	})
}

// counts works out how many instances of each block are in force: the
// manifest's, unless a record of svman scale that still holds says
// otherwise. A block with neither has no entry: it is one plain module.
func (ev *evaluator) counts(blocks []block, statusDir string) map[string]InstanceCount {
	recs, err := ReadScale(statusDir)
	if err != nil {
		ev.diags = append(ev.diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Cannot read svman scale's counts",
			Detail: fmt.Sprintf("%s. The manifest's instances apply. Run svman scale again to record the counts you want, or remove the file.", strings.TrimSpace(err.Error()))})
	}
	var counts map[string]InstanceCount
	for _, b := range blocks {
		name := b.template.Name
		c := InstanceCount{Count: -1}
		if d := b.decl.declared; d != nil {
			c = InstanceCount{Count: *d, Declared: *d}
		}
		if r, ok := recs[name]; ok && r.Applies(b.decl.declared) {
			c.Count, c.Scaled = r.Instances, true
			if b.decl.declared == nil {
				c.Declared = 1
			}
		}
		if c.Count < 0 {
			continue
		}
		if counts == nil {
			counts = map[string]InstanceCount{}
		}
		counts[name] = c
	}
	return counts
}

// Blocks is the names of the module blocks with instances in force, sorted.
func (m *Manifest) Blocks() []string {
	return slices.Sorted(maps.Keys(m.Instances))
}
