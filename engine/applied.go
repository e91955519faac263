package engine

import (
	"fmt"

	"svman/statusfs"
)

// writeApplied records the module settings now in force in the status directory
// (module.json, statusfs.WriteApplied), so `svman diff` can compare them with the
// manifest on disk from any terminal.
func (s *supervisor) writeApplied() {
	err := s.dir.WriteApplied(*s.mod)
	if err != nil {
		err = fmt.Errorf("cannot record the applied settings: %w", err)
	}
	s.fileWritten(&s.failed.applied, err)
}

// appliedOnDisk reports whether module.json already holds the settings in force
// (svman restarted with the same manifest): reading it is cheaper than replacing
// it, and a start of many modules replaced a file per module for nothing.
func (s *supervisor) appliedOnDisk() bool {
	return statusfs.HoldsApplied(s.dir.Path(), *s.mod)
}
