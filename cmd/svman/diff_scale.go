package main

import (
	"fmt"
	"io"

	"svman/manifest"
)

// printScaled says which module blocks run another count of instances than
// the manifest says, by svman scale (or up --formation): the drift a
// reload keeps, until the manifest's instances is edited.
func printScaled(w io.Writer, m *manifest.Manifest) {
	for _, name := range m.Blocks() {
		c := m.Instances[name]
		if !c.Scaled {
			continue
		}
		if manifest.IsProcfile(m.Path) {
			fmt.Fprintf(w, "# %s: %d %s, set by svman scale (a Procfile line is one)\n", name, c.Count, plural(c.Count, "instance", "instances"))
			continue
		}
		if c.Count != c.Declared {
			fmt.Fprintf(w, "# %s: %d %s, set by svman scale; the manifest says instances = %d (editing it there wins)\n", name, c.Count, plural(c.Count, "instance", "instances"), c.Declared)
		}
	}
}
