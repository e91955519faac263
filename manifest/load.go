package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
)

// Load reads, checks and normalises the manifest at path.
//
// On success every default is applied and every path is absolute and clean:
// relative paths in the manifest (status_dir, dir, file()) start at the
// manifest's own directory, not at the working directory, so a manifest means the
// same thing wherever svman is started.
//
// On failure the error is always a *DiagError holding every problem found, each
// pointing at file:line:col where it can; the file names in it are path as
// given. That covers an unreadable, missing or oversized file as well as syntax
// and validation errors. Syntax errors alone are reported without going on to
// validation, since a half-parsed file would only add misleading errors.
//
// A Procfile (IsProcfile) is loaded as one, with the .env beside it, so that every
// command that reads a manifest, reloads included, takes a Procfile as well.
func Load(path string) (*Manifest, error) {
	if IsProcfile(path) {
		return LoadProcfile(path)
	}
	src, diag := readManifest(path)
	if diag != nil {
		return nil, &DiagError{Diags: hcl.Diagnostics{diag}}
	}
	abs, derr := locate(path, "manifest")
	if derr != nil {
		return nil, derr
	}
	m, _, files, diags := decode(src, path, abs)
	if diags.HasErrors() {
		de := NewDiagError(diags, files)
		if m != nil {
			de.Sources = m.Sources
		}
		return nil, de
	}
	if len(diags) > 0 { // warnings only
		m.Warnings = NewDiagError(diags, files)
	}
	return m, nil
}

// locate returns the absolute path of the file at path (a manifest or a
// Procfile, as what says), or a diagnostic when even that cannot be had.
func locate(path, what string) (string, *DiagError) {
	abs, err := filepath.Abs(path)
	if err != nil { // only when the working directory is gone
		return "", &DiagError{Diags: hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot locate " + what,
			Detail:   fmt.Sprintf("Cannot work out the absolute path of %q: %s. Give an absolute path.", path, err),
		}}}
	}
	return abs, nil
}

// decode is the pipeline every manifest goes through, whatever it was written
// as: parse src (named filename in diagnostics), decode it, check and normalise
// it as the manifest at abs. It returns the parsed file and all parsed files for
// diagnostics. Syntax errors stop it before decoding: a half-parsed file would
// only add misleading errors; after decoding errors it goes on, so that one run
// reports every problem.
func decode(src []byte, filename, abs string) (*Manifest, *hcl.File, map[string]*hcl.File, hcl.Diagnostics) {
	baseDir := filepath.Dir(abs)
	parser := hclparse.NewParser()
	file, diags := parser.ParseHCL(src, filename)
	if diags.HasErrors() {
		return nil, file, parser.Files(), diags
	}
	ev := &evaluator{ctx: evalContext(baseDir), diags: diags, filename: filename, src: src}
	var raw rawFile
	ev.diags = append(ev.diags, gohcl.DecodeBody(file.Body, ev.ctx, &raw)...)
	m := ev.manifest(&raw, abs, baseDir)
	m.Sources, m.Digest = ev.envFileSet.sources(), ev.envFileSet.digest(src)
	m.Sites = sitesOf(file, parser.Files())
	for _, sv := range ev.secrets {
		m.Sites.secrets = append(m.Sites.secrets, sv.rng)
	}
	return m, file, parser.Files(), ev.diags
}

// manifest checks and normalises the decoded file.
func (ev *evaluator) manifest(raw *rawFile, abs, baseDir string) *Manifest {
	m := &Manifest{
		Path:      abs,
		StatusDir: valueOr(ev.path("status_dir", raw.StatusDir, baseDir), filepath.Join(baseDir, "status")),
		Modules:   []Module{},
	}
	var defaults settings
	if d := onlyOne(ev, "defaults", raw.Defaults, func(d *rawDefaults) hcl.Range { return d.DefRange }); d != nil {
		defaults = ev.defaults(&d.Body, baseDir)
		ev.checkBackoff(defaults.restart)
	}
	seen := make(map[string]hcl.Range, len(raw.Modules))
	labels := make(map[string]hcl.Range, len(raw.Modules))
	declared := make([]string, 0, len(raw.Modules))
	deps := make(map[string]hcl.Expression)
	var blocks []block
	var templates []Module
	for _, rm := range raw.Modules {
		declared = append(declared, rm.Name)
		if prev, dup := seen[rm.Name]; dup {
			ev.errorf(rm.NameRange, "Duplicate module name",
				"A module named %q is already defined at %s. Module names must be unique: rename or remove one of them.", rm.Name, lineOf(prev))
		} else if ev.checkModuleName(rm.Name, rm.NameRange) {
			seen[rm.Name] = rm.DefRange
			labels[rm.Name] = rm.NameRange
		}
		decl := ev.instanceDecl(&rm.Body)
		if mod, ok, _ := ev.moduleOf(rm, decl, 0, defaults, baseDir); ok {
			blocks = append(blocks, block{raw: rm, decl: decl, template: mod})
			templates = append(templates, mod)
			if mod.DependsOn != nil {
				deps[mod.Name] = rm.Body.DependsOn
			}
		}
	}
	ev.checkGraph(templates, declared, deps)
	m.Instances = ev.counts(blocks, m.StatusDir)
	ev.checkInstanceNames(blocks, m.Instances, labels)
	m.Modules = ev.expand(blocks, m.Instances, defaults, baseDir)
	m.SMTP = ev.smtp(raw.SMTP)
	m.Metrics = ev.metrics(raw.Metrics, baseDir)
	m.API = ev.api(raw.API, baseDir)
	return m
}

// defaults evaluates the defaults block, which takes every module setting but
// those that only make sense per module: command, inherit_defaults, and
// depends_on, ready and health, which name other modules or a module's own
// address.
func (ev *evaluator) defaults(body *rawSettings, baseDir string) settings {
	if r := body.CommandRange; r.Filename != "" {
		ev.errorf(r, "Misplaced command", "Each module must give its own command, so command cannot be set in defaults. Move it into the module blocks.")
	}
	if r := body.InheritDefaultsRange; r.Filename != "" {
		ev.errorf(r, "Misplaced inherit_defaults", "inherit_defaults only means something in a module block. Remove it here, and write inherit_defaults = false in the modules that should ignore the defaults.")
	}
	if r := body.DependsOnRange; r.Filename != "" {
		ev.errorf(r, "Misplaced depends_on", "Each module names its own dependencies, so depends_on cannot be set in defaults. Move it into the module blocks that depend on others.")
	}
	for _, b := range body.Ready {
		ev.errorf(b.DefRange, "Misplaced ready block", "A ready block checks one module's own port, URL, command or output, so it cannot be shared through defaults. Move it into the module blocks.")
	}
	for _, b := range body.Health {
		ev.errorf(b.DefRange, "Misplaced health block", "A health block checks one module's own port, URL or command, so it cannot be shared through defaults. Move it into the module blocks.")
	}
	if r := body.InstancesRange; r.Filename != "" {
		ev.errorf(r, "Misplaced instances", "Each module says how many copies of it run, so instances cannot be set in defaults. Move it into the module blocks.")
	}
	if r := body.PortBaseRange; r.Filename != "" {
		ev.errorf(r, "Misplaced port_base", "Each module's instances need ports of their own, so port_base cannot be set in defaults. Move it into the module blocks.")
	}
	return ev.settings(body, baseDir)
}

// module evaluates one module block and merges in the defaults (unless it
// opts out). ok is false when the module has no usable command.
func (ev *evaluator) module(rm *rawModule, defaults settings, baseDir string) (Module, bool) {
	missing := rm.DefRange
	if rm.Body.CommandRange.Filename != "" {
		missing = rm.Body.CommandRange // command = null
	}
	argv, shell, ok := ev.moduleCommand(rm.Body.Command, missing)
	s := ev.settings(&rm.Body, baseDir)
	if valueOr(ev.boolean("inherit_defaults", rm.Body.InheritDefaults), true) {
		s = merge(defaults, s)
	}
	ev.checkBackoff(s.restart)
	mod := s.module(rm.Name, argv, shell, baseDir)
	mod.Env = ev.moduleEnv(s.envFiles, mod.Env)
	mod.DependsOn = ev.dependsOn(rm.Body.DependsOn)
	mod.Ready = ev.ready(rm.Body.Ready, baseDir)
	mod.Health = ev.health(rm.Body.Health, baseDir)
	return mod, ok
}

// readManifest reads the manifest file, or returns the diagnostic explaining why
// it cannot. These diagnostics have no Subject: there is no source to point at.
func readManifest(path string) ([]byte, *hcl.Diagnostic) {
	fail := func(summary, format string, args ...any) ([]byte, *hcl.Diagnostic) {
		return nil, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...)}
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail("Manifest not found", "There is no file %q. Check the path, or create the manifest there.", path)
	case err != nil:
		return fail("Cannot read manifest", "Cannot read %q: %s. Check the path and its directories' permissions.", path, errorText(err))
	case info.IsDir():
		return fail("Manifest is a directory", "%q is a directory, not a manifest file. Give the path of the file in it, such as %q.", path, filepath.Join(path, "supervise.hcl"))
	case info.Mode().IsRegular() && info.Size() > maxFileSize:
		return fail("Manifest too large", "%q is %d bytes; a manifest may be at most %d MiB. Check that this is the right file.", path, info.Size(), maxFileSize>>20)
	}
	// Size is checked again while reading: the file may not be a regular one (a
	// pipe such as /dev/stdin) or may grow in the meantime.
	src, err := readLimited(path, maxFileSize)
	switch {
	case errors.Is(err, errTooLarge):
		return fail("Manifest too large", "%q is larger than %d MiB, the most a manifest may be. Check that this is the right file.", path, maxFileSize>>20)
	case errors.Is(err, fs.ErrPermission):
		return fail("Cannot read manifest", "Cannot read %q: permission denied. Make the file readable by the user svman runs as (for example chmod a+r %q).", path, path)
	case err != nil:
		return fail("Cannot read manifest", "Cannot read %q: %s.", path, errorText(err))
	}
	return src, nil
}

// NewDiagError sorts diags and wraps them with the files they refer to: the
// one way a DiagError is made, in Load and in what reports on a loaded
// manifest (svman export).
func NewDiagError(diags hcl.Diagnostics, files map[string]*hcl.File) *DiagError {
	sortDiags(diags)
	return &DiagError{Diags: diags, Files: files}
}
