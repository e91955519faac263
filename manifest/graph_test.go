package manifest

import (
	"reflect"
	"strings"
	"testing"
)

// graphOf builds modules from "name:dep,dep" specs, each dependency waiting
// for "started".
func graphOf(specs ...string) *Manifest {
	m := &Manifest{}
	for _, s := range specs {
		name, deps, _ := strings.Cut(s, ":")
		mod := Module{Name: name}
		if deps != "" {
			mod.DependsOn = map[string]Condition{}
			for _, d := range strings.Split(deps, ",") {
				mod.DependsOn[d] = CondStarted
			}
		}
		m.Modules = append(m.Modules, mod)
	}
	return m
}

func TestLayers(t *testing.T) {
	tests := []struct {
		name  string
		specs []string
		want  [][]string
	}{
		{"no modules", nil, nil},
		{"independent modules share layer 0, in manifest order", []string{"c", "a", "b"}, [][]string{{"c", "a", "b"}}},
		{"chain", []string{"api:db", "db:disk", "disk"}, [][]string{{"disk"}, {"db"}, {"api"}}},
		{"diamond", []string{"top:left,right", "left:base", "right:base", "base"},
			[][]string{{"base"}, {"left", "right"}, {"top"}}},
		{"a module goes one layer after its latest dependency",
			[]string{"web:db,cache", "cache", "db:disk", "disk", "cron"},
			[][]string{{"cache", "disk", "cron"}, {"db"}, {"web"}}},
		{"unknown names are ignored", []string{"api:db,ghost", "db:nothing"}, [][]string{{"db"}, {"api"}}},
		{"a module naming itself is in no layer, nor what depends on it", []string{"a:a", "b:a", "c"}, [][]string{{"c"}}},
		{"a cycle and what depends on it are left out",
			[]string{"x", "a:b", "b:c", "c:a", "d:c,x", "e:x"}, [][]string{{"x"}, {"e"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := graphOf(tt.specs...).Layers(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Layers() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDependents(t *testing.T) {
	m := graphOf("api:db,cache", "db", "worker:db", "cache", "cron:api")
	for name, want := range map[string][]string{
		"db":     {"api", "worker"},
		"cache":  {"api"},
		"api":    {"cron"},
		"cron":   nil,
		"nobody": nil,
	} {
		if got := m.Dependents(name); !reflect.DeepEqual(got, want) {
			t.Errorf("Dependents(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestCycles(t *testing.T) {
	tests := []struct {
		name  string
		specs []string
		want  [][]string
	}{
		{"none", []string{"a:b", "b:c", "c"}, nil},
		{"diamond is no cycle", []string{"top:left,right", "left:base", "right:base", "base"}, nil},
		{"length 1", []string{"a:a"}, [][]string{{"a", "a"}}},
		{"length 2", []string{"a:b", "b:a"}, [][]string{{"a", "b", "a"}}},
		{"length 3, found from its middle", []string{"x:b", "a:b", "b:c", "c:a"}, [][]string{{"a", "b", "c", "a"}}},
		{"two cycles", []string{"a:b", "b:a", "c:d", "d:c"}, [][]string{{"a", "b", "a"}, {"c", "d", "c"}}},
		{"unknown names are ignored", []string{"a:ghost,b", "b:a"}, [][]string{{"a", "b", "a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cycles(graphOf(tt.specs...).Modules); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("cycles() = %q, want %q", got, tt.want)
			}
		})
	}
}
