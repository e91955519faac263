package modview

import (
	"fmt"
	"os"
	"path/filepath"

	"svman/engine"
	"svman/manifest"
	"svman/statusfs"
)

// IsReleased reports whether a svman released the module at dir with `x` and
// listens for the `u` or `o` that takes it back.
func IsReleased(dir string) bool {
	return !statusfs.Supervised(dir) && statusfs.Listening(dir)
}

// Applied reads the settings (module.json) of every module under root that a
// svman supervises, and of every one it released with x; a module whose
// settings cannot be read is left out, with a warning.
func Applied(root string) (running, released []manifest.Module, warnings []string) {
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		if !e.IsDir() {
			continue
		}
		isReleased := IsReleased(dir)
		if !isReleased && !statusfs.Supervised(dir) {
			continue
		}
		mod, err := statusfs.ReadApplied(dir)
		switch {
		case err != nil:
			warnings = append(warnings, fmt.Sprintf("%s is supervised but its settings cannot be read (%v); it is left out", e.Name(), err))
		case isReleased:
			released = append(released, mod)
		default:
			running = append(running, mod)
		}
	}
	return running, released, warnings
}

// ReloadPlan is what a reload of m would do to the modules under its
// status_dir, as they run (Applied): the plan, the released modules a reload
// leaves so (their block unchanged since), and the warnings of Applied.
// running is false when no svman supervises any module there.
func ReloadPlan(m *manifest.Manifest) (plan engine.Plan, left []string, running bool, warnings []string) {
	run, released, warnings := Applied(m.StatusDir)
	if len(run) == 0 && len(released) == 0 {
		return engine.Plan{}, nil, false, warnings
	}
	// module.json holds hashes of the secrets: compare in that form.
	recorded := make([]manifest.Module, len(m.Modules))
	for i, mod := range m.Modules {
		recorded[i] = statusfs.Recorded(mod)
	}
	desired, left := leaveReleased(recorded, released)
	return engine.Diff(run, desired), left, true, warnings
}

// leaveReleased leaves out of mods the released modules whose block has not
// changed since, as a reload does, and returns their names.
func leaveReleased(mods, released []manifest.Module) (desired []manifest.Module, left []string) {
	applied := make(map[string]manifest.Module, len(released))
	for _, r := range released {
		applied[r.Name] = r
	}
	for _, m := range mods {
		if r, ok := applied[m.Name]; ok && len(engine.Changes(r, m)) == 0 {
			left = append(left, m.Name)
			continue
		}
		desired = append(desired, m)
	}
	return desired, left
}
