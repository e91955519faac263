// Package nomad exports a manifest as one Nomad job: a group per module,
// each with one task, in the JSON the HTTP API and nomad job run -json take,
// or in HCL.
//
// The job is a service job. A module block is a group named as the block,
// whose count is its number of instances; its task, named as the group,
// runs the module's command with the raw_exec (default) or exec driver. A
// module another waits for to complete (depends_on = { NAME = "completed"
// }) has no group of its own: it runs as a prestart task in each group
// that waits for it, since Nomad orders the tasks of a group and nothing
// else. Ready and health checks that Nomad's own service provider can run
// (http, tcp) become checks of a service; the health check's check_restart
// restarts the task. What the job cannot express as the manifest means it
// is a note (export.Notes) at the manifest's file:line:col.
package nomad

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

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

// Check says why o cannot be the options of m's job, or nil: an unknown
// driver, or an artifact for no module (the first, by name).
func (o Options) Check(m *manifest.Manifest) error {
	if o.Driver != "" && o.Driver != driverRawExec && o.Driver != driverExec {
		return fmt.Errorf("no task driver %q: the job's driver is %s or %s", o.Driver, driverRawExec, driverExec)
	}
	for _, name := range slices.Sorted(maps.Keys(o.Artifacts)) {
		i := slices.IndexFunc(m.Modules, func(mod manifest.Module) bool { return mod.Name == name || mod.Block() == name })
		switch {
		case i < 0:
			return fmt.Errorf("an artifact is given for %q, which is no module of %s", name, m.Path)
		case m.Modules[i].Name == name && m.Modules[i].InstanceOf != "":
			block := m.Modules[i].InstanceOf
			return fmt.Errorf("an artifact is given for %q, an instance of %s: the instances of a block are one task, so give it for the block, %s=URL", name, block, block)
		}
	}
	return nil
}

// Export returns the job of m, and notes on notes what it cannot express as
// m means it. The same m and o give the same bytes. An error says that o
// is not a job's options: an unknown driver, or an artifact for no module.
func Export(m *manifest.Manifest, o Options, notes *export.Notes) ([]byte, error) {
	if err := o.Check(m); err != nil {
		return nil, err
	}
	if o.Driver == "" {
		o.Driver = driverRawExec
	}
	if o.Project == "" {
		o.Project = export.Project(m, "")
	}
	e := &exporter{m: m, o: o, notes: notes, quiet: export.NewNotes(&manifest.Manifest{})}
	job := e.job()
	if o.HCL {
		return jobHCL(job, export.Header("#", m.Path)), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // a shell command's && stays readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(register{Job: job}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Made reports whether old, the bytes of an existing file, is a job an
// export of the manifest at manifestPath wrote, which a new export may
// replace: the HCL form starts with export.Header, the JSON form names
// the manifest in the job's meta. Anything else (a job written by hand,
// another manifest's) is not to be overwritten.
func Made(old []byte, manifestPath string) bool {
	if bytes.HasPrefix(old, []byte(export.Header("#", manifestPath))) {
		return true
	}
	var r struct {
		Job struct{ Meta map[string]string }
	}
	return json.Unmarshal(old, &r) == nil && r.Job.Meta[MetaManifest] == manifestPath
}
