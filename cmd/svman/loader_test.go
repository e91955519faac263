package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The manifests svman up keeps while they are in force (supervised, which it
// applies to the first one, and each reload's) hold no parsed files: only
// check and export read them, and they cost some 2.5 KiB a module for as long
// as svman runs.
func TestUpKeepsNoParsedFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "supervise.hcl")
	if err := os.WriteFile(path, []byte(sleepModules(3)), 0o644); err != nil {
		t.Fatal(err)
	}
	m, ok := loadManifest(path, os.Stderr, false)
	if !ok || m.Sites == nil {
		t.Fatalf("loadManifest = %v, %v: want a manifest with its sites", m, ok)
	}
	if k := supervised(m); k.Sites != nil || k.Warnings != nil || len(k.Modules) != 3 {
		t.Errorf("supervised: %d modules, sites %v, warnings %v; want 3 modules and neither", len(k.Modules), k.Sites, k.Warnings)
	}

	l := newManifestLoader(path, t.Logf)
	l.request(byOperator)
	res := <-l.results
	if res.err != nil || res.m == nil {
		t.Fatalf("reload = %v, %v", res.m, res.err)
	}
	if res.m.Sites != nil || len(res.m.Modules) != 3 {
		t.Errorf("reloaded: %d modules, sites %v; want 3 modules and no sites", len(res.m.Modules), res.m.Sites)
	}
}
