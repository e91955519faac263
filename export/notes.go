package export

import (
	"os"

	"github.com/hashicorp/hcl/v2"

	"svman/manifest"
)

// Notes collect what a target cannot express as the manifest meant it, each
// placed where the manifest wrote the setting. Their methods are not safe
// for concurrent use: one export fills them.
type Notes struct {
	sites *manifest.Sites
	diags hcl.Diagnostics
	seen  map[noteKey]bool
	// needs are the notes made by Require: what the target needs of the
	// machines it runs on, said but never refused by --strict.
	needs map[*hcl.Diagnostic]bool
	// private is set once the output holds what may be a secret (see
	// KeepPrivate).
	private bool
}

// noteKey tells one note from another: the instances of a block share their
// sites and their notes, which are said once.
type noteKey struct {
	at              hcl.Range
	summary, detail string
}

// NewNotes returns empty notes about m.
func NewNotes(m *manifest.Manifest) *Notes {
	return &Notes{sites: m.Sites, seen: map[noteKey]bool{}, needs: map[*hcl.Diagnostic]bool{}}
}

// Lost notes that field path of module mod ("alarm.webhook", "restart",
// "ready.log") is not carried over, or is carried with another meaning.
// summary is a short title ("Alarm webhook not exported"); detail says what
// the target does instead and what to do for the manifest's meaning. A
// note about a module block's instances names the block (mod.InstanceOf),
// so that one note stands for all of them.
func (n *Notes) Lost(mod manifest.Module, path, summary, detail string) {
	n.add(mod, path, summary, detail)
}

// LostAt is Lost for what is said of the manifest at rng, a range of its
// source rather than a module's field: a call of env(), which every module
// and top-level block may hold. The same note at the same range is said
// once.
func (n *Notes) LostAt(rng hcl.Range, summary, detail string) {
	n.addAt(rng, summary, detail)
}

// Require notes what the exported configuration needs of the machines it
// runs on (the modules' programs on every Nomad client), at field path of
// mod. It is no difference of meaning: --strict says it, as a warning, and
// writes all the same, since no manifest could avoid it.
func (n *Notes) Require(mod manifest.Module, path, summary, detail string) {
	if d := n.add(mod, path, summary, detail); d != nil {
		n.needs[d] = true
	}
}

// add records a note unless the same one was made; it returns the new
// diagnostic, or nil.
func (n *Notes) add(mod manifest.Module, path, summary, detail string) *hcl.Diagnostic {
	return n.addAt(n.sites.At(mod, path), summary, detail)
}

// addAt is add at a range of the manifest; the zero Range places the note
// nowhere.
func (n *Notes) addAt(at hcl.Range, summary, detail string) *hcl.Diagnostic {
	k := noteKey{at, summary, detail}
	if n.seen[k] {
		return nil
	}
	n.seen[k] = true
	d := &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: detail}
	if at.Filename != "" {
		d.Subject = at.Ptr()
	}
	n.diags = append(n.diags, d)
	return d
}

// Written reports whether field path of mod was written in the manifest
// (see manifest.Sites.Written): a target notes the loss of a setting
// someone chose, and says in the README how it differs where svman's
// defaults apply.
func (n *Notes) Written(mod manifest.Module, path string) bool {
	return n.sites.Written(mod, path)
}

// Secret reports whether field path of mod holds a value read with file()
// or env() (see manifest.Sites.Secret): a target that writes it into a
// file others can read must say so, or keep it apart.
func (n *Notes) Secret(mod manifest.Module, path string) bool {
	return n.sites.Secret(mod, path)
}

// KeepPrivate says that the output holds what may be a secret (a value
// read with file() or env(), an env file's variables): its files are then
// written for their owner alone (Perm).
func (n *Notes) KeepPrivate() { n.private = true }

// Perm is the mode of the files the export writes: 0600 when they hold what
// may be a secret, else 0644, for every user to read as systemd's own units.
func (n *Notes) Perm() os.FileMode {
	if n.private {
		return 0o600
	}
	return 0o644
}

// Len is the number of notes.
func (n *Notes) Len() int { return len(n.diags) }

// Differences is the number of notes --strict refuses: all but Require's.
func (n *Notes) Differences() int { return len(n.diags) - len(n.needs) }

// Diagnostics returns the notes as diagnostics to print, in the manifest's
// order, or nil when there are none: warnings, or when strict (svman export
// --strict) errors, but for Require's, which stay warnings. The result's
// files quote the manifest's lines.
func (n *Notes) Diagnostics(strict bool) *manifest.DiagError {
	if len(n.diags) == 0 {
		return nil
	}
	diags := make(hcl.Diagnostics, len(n.diags))
	for i, d := range n.diags {
		c := *d
		if strict && !n.needs[d] {
			c.Severity = hcl.DiagError
		}
		diags[i] = &c
	}
	return manifest.NewDiagError(diags, n.sites.Files)
}
