package engine

import (
	"maps"

	"svman/manifest"
)

// A module's depends_on may name a module block with instances (web, for
// web.0 … web.N-1): it then waits for every instance in force, and for none
// when the block has none (instances = 0). The engine works with
// dependencies on modules only: expandDeps rewrites each module's
// depends_on in those terms, once per apply, and svman scale changes only
// the expansion, never the dependent's block (which would restart it).

// expandDeps is the dependencies of every module of mods on modules, by
// name; a module without dependencies has none. blocks are the module blocks
// with instances, by name (Manifest.Instances).
func expandDeps(mods []manifest.Module, blocks map[string]manifest.InstanceCount) map[string]map[string]manifest.Condition {
	members := make(map[string][]string, len(blocks))
	for _, m := range mods {
		if m.InstanceOf != "" {
			members[m.InstanceOf] = append(members[m.InstanceOf], m.Name)
		}
	}
	out := make(map[string]map[string]manifest.Condition)
	for _, m := range mods {
		if len(m.DependsOn) == 0 {
			continue
		}
		deps, cloned := m.DependsOn, false
		for name, c := range m.DependsOn {
			_, block := blocks[name]
			if !block && members[name] == nil {
				continue
			}
			if !cloned { // m's own map is the manifest's
				deps, cloned = maps.Clone(m.DependsOn), true
			}
			delete(deps, name)
			for _, inst := range members[name] {
				deps[inst] = c
			}
		}
		if len(deps) > 0 {
			out[m.Name] = deps
		}
	}
	return out
}
