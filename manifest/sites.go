package manifest

import (
	"cmp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Sites say where in the manifest each module's settings were written, so
// that what consumes a loaded Manifest (svman export) can point a diagnostic
// at file:line:col as Load does. They are kept beside the modules, not in
// them: a Module is its desired state, and moving a block in the file must
// not make it a different one.
type Sites struct {
	// Files are the parsed files the ranges point into, by the file name the
	// ranges use, for DiagError to quote the source lines.
	Files map[string]*hcl.File

	blocks   map[string]blockSites // by module block name
	defaults blockSites            // zero without a defaults block
	// secrets are where values read with file() or env() were written:
	// they may be secrets, which an export must not spread (Secret).
	secrets []hcl.Range
	// envCalls are the calls of env(), in the file's order (EnvCalls).
	envCalls []hcl.Range
}

// blockSites are the ranges of one module or defaults block: the block's
// own (its header line), and each attribute and nested block written in it,
// by path: "command", "alarm", "alarm.webhook", "ready.tcp".
type blockSites struct {
	def hcl.Range
	at  map[string]hcl.Range
}

// At is where field path of module m was written: in its own block, else in
// the defaults block (which is where a module that inherits the defaults got
// it), else the nearest enclosing block written ("alarm" for
// "alarm.webhook"), else the module block's header. path is the manifest's
// words joined by dots, as "restart.max_delay". The zero Range only for a
// module the manifest has no block for.
func (s *Sites) At(m Module, path string) hcl.Range {
	r, _ := s.find(m, path)
	return r
}

// Written reports whether field path of module m was written in the
// manifest, in the module's block or in the defaults (a field left to its
// built-in default was not), so a consumer can tell a setting someone chose
// from one svman chose.
func (s *Sites) Written(m Module, path string) bool {
	_, exact := s.find(m, path)
	return exact
}

// Secret reports whether field path of module m holds a value read with
// file() or env(), or made from one, which may be a secret (a password, a
// token): what writes it elsewhere must keep it from other readers. Both
// the module's block and the defaults it inherits are asked, since env
// merges the two key by key; a map counts as a whole.
func (s *Sites) Secret(m Module, path string) bool {
	for _, r := range s.written(m, path) {
		for _, sr := range s.secrets {
			if overlaps(sr, r) {
				return true
			}
		}
	}
	return false
}

// EnvCalls are where the manifest calls env(), in the file's order: each
// call's range, from its name to its closing parenthesis. A manifest that
// calls none gives nil. env() reads the environment of the svman that
// loads the manifest, so what loads it elsewhere (a unit that runs svman
// on it) may read other values.
func (s *Sites) EnvCalls() []hcl.Range {
	if s == nil {
		return nil
	}
	return s.envCalls
}

// find is At, and whether path itself (rather than an enclosing block) was
// found.
func (s *Sites) find(m Module, path string) (hcl.Range, bool) {
	b, ok := s.block(m)
	if !ok {
		return hcl.Range{}, false
	}
	for p := path; p != ""; p = parent(p) {
		if at := s.written(m, p); at != nil {
			return at[0], p == path
		}
	}
	return b.def, false
}

// block is the sites of the block m was written as.
func (s *Sites) block(m Module) (blockSites, bool) {
	if s == nil {
		return blockSites{}, false
	}
	b, ok := s.blocks[m.Block()]
	return b, ok
}

// written are where field path of m was written: in its block, then in the
// defaults it inherits; nil where neither writes it.
func (s *Sites) written(m Module, path string) []hcl.Range {
	b, ok := s.block(m)
	if !ok {
		return nil
	}
	var at []hcl.Range
	if r, ok := b.at[path]; ok {
		at = append(at, r)
	}
	if r, ok := s.defaults.at[path]; ok && b.inherits() {
		at = append(at, r)
	}
	return at
}

// inherits reports whether the module block takes the defaults' settings:
// unless it says inherit_defaults = false. Only the attribute's presence is
// asked (a module that writes inherit_defaults = true gets no defaults'
// site): the value was checked by the load, and a field the block leaves
// out is asked for only when the module has it, from the defaults.
func (b blockSites) inherits() bool {
	_, opted := b.at["inherit_defaults"]
	return !opted
}

// parent is path without its last word: "" for a top-level field.
func parent(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// sitesOf reads the sites of every module and defaults block of a parsed
// manifest. A body that is not HCL's native syntax (none is, today) yields
// sites that know only the files.
func sitesOf(file *hcl.File, files map[string]*hcl.File) *Sites {
	s := &Sites{Files: files, blocks: map[string]blockSites{}}
	body, ok := file.Body.(*hclsyntax.Body)
	if !ok {
		return s
	}
	hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		if c, ok := n.(*hclsyntax.FunctionCallExpr); ok && c.Name == "env" {
			s.envCalls = append(s.envCalls, c.Range())
		}
		return nil
	})
	// A body's attributes are a map: VisitAll meets them in any order.
	slices.SortFunc(s.envCalls, func(a, b hcl.Range) int {
		return cmp.Or(strings.Compare(a.Filename, b.Filename), cmp.Compare(a.Start.Byte, b.Start.Byte))
	})
	for _, b := range body.Blocks {
		switch {
		case b.Type == "module" && len(b.Labels) == 1:
			if _, dup := s.blocks[b.Labels[0]]; !dup { // a duplicate fails the load
				s.blocks[b.Labels[0]] = blockSitesOf(b)
			}
		case b.Type == "defaults" && s.defaults.at == nil:
			s.defaults = blockSitesOf(b)
		}
	}
	return s
}

// blockSitesOf records the ranges of b's attributes and nested blocks.
func blockSitesOf(b *hclsyntax.Block) blockSites {
	bs := blockSites{def: b.DefRange(), at: map[string]hcl.Range{}}
	var walk func(prefix string, body *hclsyntax.Body)
	walk = func(prefix string, body *hclsyntax.Body) {
		for name, a := range body.Attributes {
			bs.at[prefix+name] = a.SrcRange
		}
		for _, nb := range body.Blocks {
			if _, dup := bs.at[prefix+nb.Type]; !dup {
				bs.at[prefix+nb.Type] = nb.DefRange()
				walk(prefix+nb.Type+".", nb.Body)
			}
		}
	}
	walk("", b.Body)
	return bs
}

// procfileSites are the sites of a Procfile's modules: each of them, with all
// its settings, was written on its own line.
func procfileSites(pf *Procfile, path string, src []byte) *Sites {
	s := &Sites{Files: map[string]*hcl.File{path: {Bytes: src}}, blocks: map[string]blockSites{}}
	lines := procfileLines(src, path)
	for _, e := range pf.Entries {
		s.blocks[e.Name] = blockSites{def: lines[e.Line]}
	}
	return s
}
