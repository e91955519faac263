package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"svman/internal/modview"
	"svman/manifest"
)

// target is one module's status directory, as status and ctl address it.
type target struct {
	name string
	dir  string
}

// targetFlags are the two ways to find status directories: through the manifest
// (-f, the default) or directly (--status-dir, for a broken manifest or for
// directories the legacy supervise made).
type targetFlags struct {
	file      *string
	statusDir *string
}

func addTargetFlags(fs *flag.FlagSet) targetFlags {
	return targetFlags{
		file:      manifestFlag(fs),
		statusDir: fs.String("status-dir", "", "read the status directories under `DIR` instead of the manifest's status_dir (every subdirectory is a module)"),
	}
}

// resolve returns the targets named by names, or every module when names is empty.
// An unknown name is an error that lists the known ones.
func (tf targetFlags) resolve(names []string, stderr io.Writer) ([]target, bool) {
	targets, _, ok := tf.resolveManifest(names, stderr)
	return targets, ok
}

// resolveManifest is resolve, with the manifest the targets come from: nil
// when they are the subdirectories of --status-dir, or the running set of a
// manifest that cannot be loaded.
func (tf targetFlags) resolveManifest(names []string, stderr io.Writer) ([]target, *manifest.Manifest, bool) {
	all, m, ok := tf.all(stderr)
	if !ok {
		return nil, nil, false
	}
	var blocks map[string]manifest.InstanceCount
	if m != nil {
		blocks = m.Instances
	}
	targets, ok := pickTargets(all, names, blocks, stderr)
	return targets, m, ok
}

// pickTargets returns the targets of all named by names, in their order, or all
// when names is empty (modview.Pick); an unknown name is said on stderr.
func pickTargets(all []target, names []string, blocks map[string]manifest.InstanceCount, stderr io.Writer) ([]target, bool) {
	mv := make([]modview.Target, len(all))
	for i, t := range all {
		mv[i] = modview.Target{Name: t.name, Dir: t.dir}
	}
	picked, err := modview.Pick(mv, names, blocks)
	if err != nil {
		fmt.Fprintf(stderr, "svman: %v\n", err)
		return nil, false
	}
	out := make([]target, len(picked))
	for i, t := range picked {
		out[i] = target{t.Name, t.Dir}
	}
	return out, true
}

// instanceNumber is N when module is instance N of block (block.N).
func instanceNumber(module, block string) (int, bool) { return modview.InstanceNumber(module, block) }

// all is every module's target, and the manifest they come from (nil when
// there is none: see resolveManifest).
func (tf targetFlags) all(stderr io.Writer) ([]target, *manifest.Manifest, bool) {
	if *tf.statusDir != "" {
		targets, ok := dirTargets(*tf.statusDir, stderr)
		return targets, nil, ok
	}
	m, err := manifest.Load(*tf.file)
	if err != nil {
		root, ok := runningRoot(*tf.file, err, stderr)
		if !ok {
			return nil, nil, false
		}
		targets, ok := dirTargets(root, stderr)
		return targets, nil, ok
	}
	return manifestTargets(m), m, true
}

// manifestTargets is the target of every module of m, in its order.
func manifestTargets(m *manifest.Manifest) []target {
	mv := modview.ManifestTargets(m)
	out := make([]target, len(mv))
	for i, t := range mv {
		out[i] = target{t.Name, t.Dir}
	}
	return out
}

// dirTargets are the subdirectories of root, by name: each is a module.
func dirTargets(root string, stderr io.Writer) ([]target, bool) {
	entries, err := os.ReadDir(root)
	if err != nil {
		fmt.Fprintf(stderr, "svman: %v\n", err)
		return nil, false
	}
	var out []target
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, target{e.Name(), filepath.Join(root, e.Name())})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, true
}

// root is the directory that holds the status directories: --status-dir, or the
// manifest's status_dir.
func (tf targetFlags) root(stderr io.Writer) (string, bool) {
	if *tf.statusDir != "" {
		return *tf.statusDir, true
	}
	m, err := manifest.Load(*tf.file)
	if err != nil {
		return runningRoot(*tf.file, err, stderr)
	}
	return m.StatusDir, true
}

// runningRoot is the status_dir to act on when the manifest at path cannot be
// loaded (err): the running set must stay in reach while a save is broken, and
// svman refuses to move status_dir while it runs, so the broken file's own
// status_dir is the running one, when manifest.StatusDirOf can be sure of it.
// The diagnostics are printed either way: as a warning when the command can go
// on, with what it acts on; as the error otherwise.
func runningRoot(path string, err error, stderr io.Writer) (string, bool) {
	printLoadError(stderr, err, false)
	root, ok := manifest.StatusDirOf(path)
	if !ok {
		fmt.Fprintf(stderr, "svman: %s is not valid, and its status_dir cannot be told from it: name the status directories with --status-dir DIR\n", path)
		return "", false
	}
	fmt.Fprintf(stderr, "svman: warning: %s is not valid (see above); acting on the running set: the status directories under %s\n", path, root)
	return root, true
}

// moduleNames is every name a command takes for the modules of m, in the
// manifest's order: each module's, each block with instances before its
// instances (web, web.0, web.1), then the blocks scaled to 0 instances,
// which have no module left but are still addressed.
func moduleNames(m *manifest.Manifest) []string {
	names := make([]string, 0, len(m.Modules)+len(m.Instances))
	seen := make(map[string]bool, len(m.Instances))
	for _, mod := range m.Modules {
		if b := mod.InstanceOf; b != "" && !seen[b] {
			seen[b] = true
			names = append(names, b)
		}
		names = append(names, mod.Name)
	}
	var rest []string
	for block := range m.Instances {
		if !seen[block] {
			rest = append(rest, block)
		}
	}
	slices.Sort(rest)
	return append(names, rest...)
}

// namedModule is the module of m named name, an instance's name (web.1)
// included, for the commands that act on one module's settings (alarm,
// probe). A block with instances is not one module: the error names its
// instances. An unknown name is unknownModule's error.
func namedModule(m *manifest.Manifest, name string) (*manifest.Module, error) {
	if mod := moduleOf(m, name); mod != nil {
		return mod, nil
	}
	if _, ok := m.Instances[name]; !ok {
		return nil, unknownModule(m, name)
	}
	var instances []string
	for _, mod := range m.Modules {
		if mod.InstanceOf == name {
			instances = append(instances, mod.Name)
		}
	}
	if len(instances) == 0 {
		return nil, fmt.Errorf("module %s has no instances in force (instances = 0): 'svman scale %s=N' starts some", name, name)
	}
	return nil, fmt.Errorf("module %s has instances: name one of them (%s)", name, strings.Join(instances, ", "))
}

// moduleOf is the module of m named name, or nil.
func moduleOf(m *manifest.Manifest, name string) *manifest.Module {
	for i := range m.Modules {
		if m.Modules[i].Name == name {
			return &m.Modules[i]
		}
	}
	return nil
}

// unknownModule is the error for name, which is no module of m: with the
// closest name when one is a plausible typo of it (as svman check suggests
// one), and the names there are.
func unknownModule(m *manifest.Manifest, name string) error {
	known := moduleNames(m)
	if len(known) == 0 {
		return fmt.Errorf("no module named %q: %s has no modules", name, m.Path)
	}
	hint := ""
	if s := manifest.Suggest(name, known); s != "" {
		hint = fmt.Sprintf("; did you mean %q?", s)
	}
	return fmt.Errorf("no module named %q%s (modules: %s)", name, hint, strings.Join(known, ", "))
}
