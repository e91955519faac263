// Package systemd exports a manifest as systemd units: one
// svman-MODULE.service per module and an svman-PROJECT.target that wants
// them all, or with Options.Self one unit that runs svman up itself. It
// targets the keys of systemd 252 (Debian 12): a key that version does not
// know is never written.
package systemd

import (
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
	// Project names the target: svman-PROJECT.target (export.Project).
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
	// Logs is where output goes; "" is LogsJournal.
	Logs Logs
}

// Export returns the units of m, sorted by name, and notes on notes what
// they cannot express as m means it.
func Export(m *manifest.Manifest, o Options, notes *export.Notes) []export.File {
	return nil
}
