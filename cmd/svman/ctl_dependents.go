package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"svman/manifest"
)

// downNotes is what `svman ctl NAME down` says of name's dependents in m, a line
// for each kind: those with on_dependency_restart = "restart", which svman
// stops with name, and those with "ignore" whose child runs (running says),
// which keep running without it. None when name has no such dependents.
func downNotes(m *manifest.Manifest, name string, running func(module string) bool) []string {
	policy := make(map[string]manifest.DependencyRestart, len(m.Modules))
	for _, mod := range m.Modules {
		policy[mod.Name] = mod.OnDependencyRestart
	}
	var restart, ignore []string
	for _, d := range m.Dependents(name) {
		switch {
		case policy[d] == manifest.DepRestart:
			restart = append(restart, d)
		case running(d):
			ignore = append(ignore, d)
		}
	}
	var notes []string
	if len(restart) > 0 {
		notes = append(notes, fmt.Sprintf("stopping %s; its %s %s %s first (on_dependency_restart = %q)",
			name, plural(len(restart), "dependent", "dependents"), strings.Join(restart, ", "),
			plural(len(restart), "stops", "stop"), manifest.DepRestart))
	}
	if len(ignore) > 0 {
		notes = append(notes, fmt.Sprintf("%s is down; %s %s running without it (on_dependency_restart = %q)",
			name, strings.Join(ignore, ", "), plural(len(ignore), "keeps", "keep"), manifest.DepIgnore))
	}
	return notes
}

// runningIn returns whether a module of m has a child running, as `svman
// status` reads it from its status directory.
func runningIn(m *manifest.Manifest) func(module string) bool {
	return func(module string) bool {
		return readModuleStatus(target{module, filepath.Join(m.StatusDir, module)}, time.Now()).PID != 0
	}
}
