package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"svman/manifest"
)

// defaultManifest is the manifest every command reads unless -f names another.
const defaultManifest = "supervise.hcl"

func manifestFlag(fs *flag.FlagSet) *string {
	return fs.String("f", defaultManifest, "read the manifest from `FILE`")
}

// loadManifest loads path, printing its diagnostics (file:line:col, the source line
// and what to do) to w when it is not valid. A Procfile ("Procfile" or
// "Procfile.*") is read as one, with the .env beside it.
func loadManifest(path string, w io.Writer, color bool) (*manifest.Manifest, bool) {
	m, err := manifest.Load(path)
	if err != nil {
		printLoadError(w, err, color)
		return nil, false
	}
	return m, true
}

// supervised is m as svman up keeps it while it supervises by it: without its
// Sites and Warnings, which only svman check and export read, and which hold
// the parsed files (about 2.5 KiB a module) for as long as m is in force.
func supervised(m *manifest.Manifest) *manifest.Manifest {
	k := *m
	k.Sites, k.Warnings = nil, nil
	return &k
}

func printLoadError(w io.Writer, err error, color bool) {
	var de *manifest.DiagError
	if errors.As(err, &de) {
		_ = de.WriteText(w, color)
		return
	}
	fmt.Fprintf(w, "svman: %v\n", err)
}
