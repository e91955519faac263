// Package nomad exports a manifest as one Nomad job: a group per module,
// each with one task, in the JSON the HTTP API and nomad job run -json take,
// or in HCL.
package nomad

import (
	"svman/export"
	"svman/manifest"
)

// Options say what kind of job to make.
type Options struct {
	// Project is the job's ID and name (export.Project).
	Project string
	// Driver is the task driver: "raw_exec" (the default when "") or "exec".
	Driver string
	// Datacenters the job may run in; nil is Nomad's default.
	Datacenters []string
	// Artifacts are URLs of the modules' programs, by module (or module
	// block) name: each becomes an artifact the client downloads before the
	// task starts.
	Artifacts map[string]string
	// HCL writes the job in HCL instead of JSON.
	HCL bool
}

// Export returns the job of m, and notes on notes what it cannot express as
// m means it.
func Export(m *manifest.Manifest, o Options, notes *export.Notes) ([]byte, error) {
	return nil, nil
}
