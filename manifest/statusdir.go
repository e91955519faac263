package manifest

import (
	"bytes"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// StatusDirOf returns the status_dir of the manifest at path when Load cannot
// load it, so that the commands that act on the running modules (status, ctl,
// reload, diff) can still find them while the saved file is broken. svman
// refuses to change status_dir without a restart, so the file's status_dir is
// the running svman's unless the same save changed it.
//
// It answers only when the answer is certain:
//   - a Procfile's status directory is always "status" beside it;
//   - a top-level status_dir attribute counts if it ends before the first
//     syntax error and evaluates to a path, as Load would make it absolute;
//   - a file that never mentions status_dir (not even in a comment) uses the
//     default, "status" beside the manifest, whatever else is broken in it.
//
// Otherwise (status_dir within or after a syntax error, or not a path), or when
// the file cannot be read, ok is false.
func StatusDirOf(path string) (dir string, ok bool) {
	abs, derr := locate(path, "manifest")
	if derr != nil {
		return "", false
	}
	baseDir := filepath.Dir(abs)
	defaultDir := filepath.Join(baseDir, "status")
	if IsProcfile(path) {
		return defaultDir, true
	}
	src, diag := readManifest(path)
	if diag != nil {
		return "", false
	}
	file, diags := hclparse.NewParser().ParseHCL(src, path)
	body, isSyntax := file.Body.(*hclsyntax.Body)
	if !isSyntax {
		return "", false
	}
	attr, found := body.Attributes["status_dir"]
	if !found {
		if bytes.Contains(src, []byte("status_dir")) {
			return "", false // it may be in the part the parser could not read
		}
		return defaultDir, true
	}
	if first := firstError(diags); first != nil && attr.SrcRange.End.Byte > first.Byte {
		return "", false
	}
	ev := &evaluator{ctx: evalContext(baseDir), filename: path, src: src}
	p := ev.path("status_dir", attr.Expr, baseDir)
	if p == nil || ev.diags.HasErrors() {
		return "", false
	}
	return *p, true
}

// firstError is where the first error of diags starts; a syntax error without
// a position counts as one at the start of the file.
func firstError(diags hcl.Diagnostics) *hcl.Pos {
	var first *hcl.Pos
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		if d.Subject == nil {
			return &hcl.Pos{Line: 1, Column: 1, Byte: 0}
		}
		if first == nil || d.Subject.Start.Byte < first.Byte {
			p := d.Subject.Start
			first = &p
		}
	}
	return first
}
