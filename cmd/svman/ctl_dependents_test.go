package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"svman/manifest"
	"svman/statusfs"
)

// svman ctl db down says what becomes of db's dependents: those with
// on_dependency_restart = "restart" stop with it; those with "ignore" that run
// (as their status directories say) keep running without it.
func TestCtlDownNamesTheDependents(t *testing.T) {
	p := newProject(t, helperModule("db", "sleeper"))
	for _, name := range []string{"api", "worker", "report"} {
		p.setStatus(p.holdStatusDir(name), os.Getpid(), statusfs.WantUp, statusfs.State{State: statusfs.RunUp, Ready: true})
	}
	p.setStatus(p.holdStatusDir("cron"), 0, statusfs.WantDown, statusfs.State{State: statusfs.RunDown, Reason: statusfs.DownByOperator})
	needsDB := map[string]manifest.Condition{"db": manifest.CondReady}
	module := func(name string, on manifest.DependencyRestart, deps map[string]manifest.Condition) manifest.Module {
		return manifest.Module{Name: name, OnDependencyRestart: on, DependsOn: deps}
	}
	manifestOf := func(mods ...manifest.Module) *manifest.Manifest {
		return &manifest.Manifest{StatusDir: filepath.Join(p.dir, "status"), Modules: mods}
	}
	db := module("db", manifest.DepIgnore, nil)
	tests := []struct {
		name string
		m    *manifest.Manifest
		want []string
	}{
		{"no dependents", manifestOf(db, module("api", manifest.DepRestart, nil)), nil},
		{"restart", manifestOf(db, module("api", manifest.DepRestart, needsDB), module("worker", manifest.DepRestart, needsDB)),
			[]string{`stopping db; its dependents api, worker stop first (on_dependency_restart = "restart")`}},
		{"one restart", manifestOf(db, module("api", manifest.DepRestart, needsDB)),
			[]string{`stopping db; its dependent api stops first (on_dependency_restart = "restart")`}},
		{"ignore, the default", manifestOf(db, module("api", manifest.DepIgnore, needsDB), module("worker", "", needsDB)),
			[]string{`db is down; api, worker keep running without it (on_dependency_restart = "ignore")`}},
		{"ignore, one of them down", manifestOf(db, module("api", manifest.DepIgnore, needsDB), module("cron", manifest.DepIgnore, needsDB)),
			[]string{`db is down; api keeps running without it (on_dependency_restart = "ignore")`}},
		{"both", manifestOf(db, module("api", manifest.DepRestart, needsDB), module("report", manifest.DepIgnore, needsDB), module("worker", manifest.DepRestart, needsDB)),
			[]string{
				`stopping db; its dependents api, worker stop first (on_dependency_restart = "restart")`,
				`db is down; report keeps running without it (on_dependency_restart = "ignore")`,
			}},
	}
	for _, tt := range tests {
		if got := downNotes(tt.m, "db", runningIn(tt.m)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: ctl db down says\n%q\nwant\n%q", tt.name, got, tt.want)
		}
	}
}

// Only commands that leave a module wanted down say what becomes of its
// dependents.
func TestCtlWantsDown(t *testing.T) {
	for cmds, want := range map[string]bool{"d": true, "dx": true, "kd": true, "du": false, "do": false, "ud": true, "k": false, "u": false} {
		if got := wantsDown([]byte(cmds)); got != want {
			t.Errorf("wantsDown(%q) = %v, want %v", cmds, got, want)
		}
	}
}
