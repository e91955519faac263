// Package export turns a loaded manifest into the configuration of another
// engine: systemd units (package export/systemd) or a Nomad job (package
// export/nomad), for when one host is not enough.
//
// A target rarely means exactly what a manifest means: systemd raises
// OnFailure= when a unit fails, not at every exit; Nomad has no alarm
// webhook. Every such difference is a Note with the manifest's
// file:line:col, never a silent drop, and svman export --strict refuses
// to write anything while there is one.
//
// Output is deterministic: the same manifest gives byte-identical files, so
// they can be committed and diffed.
package export
