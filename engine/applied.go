package engine

import (
	"bytes"
	"encoding/json"
	"fmt"

	"svman/manifest"
	"svman/statusfs"
)

// writeApplied records the module settings now in force in the status directory,
// so `svman diff` can compare them with the manifest on disk from any terminal.
func (s *supervisor) writeApplied() {
	b, err := recordedJSON(s.mod)
	if err == nil {
		err = s.dir.WriteApplied(b)
	}
	if err != nil {
		err = fmt.Errorf("cannot record the applied settings: %w", err)
	}
	s.fileWritten(&s.failed.applied, err)
}

// appliedOnDisk reports whether module.json already holds the settings in force
// (svman restarted with the same manifest): reading it is cheaper than replacing
// it, and a start of many modules replaced a file per module for nothing.
func (s *supervisor) appliedOnDisk() bool {
	b, err := recordedJSON(s.mod)
	if err != nil {
		return false
	}
	old, err := statusfs.ReadApplied(s.dir.Path())
	return err == nil && bytes.Equal(old, b)
}

// ReadApplied returns the settings a supervisor last applied in the status
// directory dir, in the form Recorded gives them (secrets hashed).
func ReadApplied(dir string) (manifest.Module, error) {
	var m manifest.Module
	b, err := statusfs.ReadApplied(dir)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s/module.json: %w", dir, err)
	}
	return m, nil
}
