// Package systemd exports a manifest as systemd units: one
// svman-MODULE.service per module and an svman-PROJECT.target that wants
// them all, or with Options.Self one unit that runs svman up itself. It
// targets the keys of systemd 252 (Debian 12): a key that version does not
// know is never written.
//
// What each field becomes, and why, is the table of README.md's "Beyond
// one machine" section; each file of this package writes one part of it:
// service.go the unit of a module, command.go what it runs and with what
// environment, policy.go its restarts and alarms, deps.go its
// dependencies, ready.go its readiness, project.go the target, the alarm
// template and the unit of svman itself, quote.go the quoting every value
// goes through.
package systemd

import (
	"maps"
	"slices"
	"strings"

	"svman/export"
	"svman/manifest"
)

// Logs is where the units send a module's output.
type Logs string

const (
	LogsJournal Logs = "journal" // journald, the default
	LogsFiles   Logs = "files"   // StandardOutput=append: the status directory's __stdout, __stderr
)

// Options say what kind of units to make.
type Options struct {
	// Project names the target: svman-PROJECT.target (export.Project); ""
	// is export.Project's default.
	Project string
	// Svman is the absolute path of the svman binary the units call: svman
	// alarm (OnFailure=), svman probe (ExecStartPost=), svman up (Self).
	Svman string
	// User makes units for the user's service manager (systemctl --user):
	// no User= or Group=, wanted by default.target.
	User bool
	// Self makes one unit, svman-PROJECT.service, that runs svman up on the
	// manifest, instead of a unit per module.
	Self bool
	// Logs is where the modules' output goes; "" is LogsJournal. With Self
	// it is not used: svman keeps its logs itself (svman export refuses
	// --logs with --self).
	Logs Logs
}

// Export returns the units of m, sorted by name, and notes on notes what
// they cannot express as m means it.
func Export(m *manifest.Manifest, o Options, notes *export.Notes) []export.File {
	x := newExporter(m, o, notes)
	var files []export.File
	if o.Self {
		files = append(files, x.selfUnit())
	} else {
		for _, mod := range m.Modules {
			files = append(files, x.service(mod))
		}
		files = append(files, x.target())
		if x.alarms {
			files = append(files, x.alarmTemplateUnit())
		}
		x.notSupervised()
	}
	x.envReread()
	slices.SortFunc(files, func(a, b export.File) int { return strings.Compare(a.Name, b.Name) })
	return files
}

// exporter holds what the units of one export share.
type exporter struct {
	m      *manifest.Manifest
	o      Options
	notes  *export.Notes
	header string
	// completed holds the modules another one depends on as completed:
	// they run as one-shots (see ready.go).
	completed map[string]bool
	// alarms is set once a unit names the alarm template (OnFailure=).
	alarms bool
	// named holds the modules each name of depends_on may stand for.
	named map[string][]manifest.Module
	// rereads are the units that run svman on the manifest, in the order
	// their lines were written (svmanLine).
	rereads []reread
}

func newExporter(m *manifest.Manifest, o Options, notes *export.Notes) *exporter {
	x := &exporter{m: m, o: o, notes: notes, header: export.Header("#", m.Path),
		completed: map[string]bool{}, named: map[string][]manifest.Module{}}
	for _, mod := range m.Modules {
		x.named[mod.Name] = append(x.named[mod.Name], mod)
		if mod.InstanceOf != "" {
			x.named[mod.InstanceOf] = append(x.named[mod.InstanceOf], mod)
		}
	}
	if x.o.Logs == "" {
		x.o.Logs = LogsJournal
	}
	if x.o.Project == "" {
		x.o.Project = export.Project(m, "")
	}
	for _, mod := range m.Modules {
		for _, name := range slices.Sorted(maps.Keys(mod.DependsOn)) {
			if mod.DependsOn[name] == manifest.CondCompleted {
				for _, d := range x.modulesNamed(name) {
					x.completed[d.Name] = true
				}
			}
		}
	}
	return x
}

// modulesNamed are the modules a name of depends_on stands for: the module
// of that name, or every instance of the module block of that name, in
// manifest order.
func (x *exporter) modulesNamed(name string) []manifest.Module { return x.named[name] }

// Unit names.
const (
	unitPrefix = "svman-"
	// maxUnitName is the longest unit name systemd accepts.
	maxUnitName = 255
)

func serviceName(module string) string { return unitPrefix + module + ".service" }

// alarmTemplate is the project's alarm template, svman-PROJECT-alarm@.service:
// its own, since it names the manifest, so that two manifests exported into
// one directory each keep theirs. A module's unit cannot have its name: a
// module name holds no "@".
func (x *exporter) alarmTemplate() string { return unitPrefix + x.o.Project + "-alarm@.service" }

// alarmUnit is the instance of the alarm template for module.
func (x *exporter) alarmUnit(module string) string {
	return unitPrefix + x.o.Project + "-alarm@" + module + ".service"
}

func (x *exporter) targetName() string { return unitPrefix + x.o.Project + ".target" }

// wantedBy is the target the manager starts at boot, or at the login of the
// user with Options.User.
func (x *exporter) wantedBy() string {
	if x.o.User {
		return "default.target"
	}
	return "multi-user.target"
}
