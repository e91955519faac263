package manifest

import "strings"

// graph is the dependency graph of a list of modules, by index in the list:
// deps[i] are the modules that module i depends on, in list order. A name in
// depends_on that is no module of the list has no edge; one that is a module
// block with instances has an edge to each of them.
type graph struct {
	names []string
	deps  [][]int
}

func newGraph(mods []Module) graph {
	index := make(map[string][]int, len(mods))
	for i, m := range mods {
		index[m.Name] = append(index[m.Name], i)
		if m.InstanceOf != "" {
			index[m.InstanceOf] = append(index[m.InstanceOf], i)
		}
	}
	g := graph{names: make([]string, len(mods)), deps: make([][]int, len(mods))}
	order := manifestOrder(mods)
	for i, m := range mods {
		g.names[i] = m.Name
		for _, name := range sortedDeps(m.DependsOn, order) {
			g.deps[i] = append(g.deps[i], index[name]...)
		}
	}
	return g
}

// Layers groups the modules into start layers: layer 0 holds the modules that
// depend on none, and each later layer the modules whose dependencies are all
// in earlier layers, at least one in the layer just before. The modules of one
// layer do not depend on each other and may start in parallel; each layer
// lists its modules in manifest order. Names in depends_on that are no module
// are ignored. A module in a dependency cycle, or depending on one, is in no
// layer; Load refuses cycles, so for a loaded manifest every module is in one.
func (m *Manifest) Layers() [][]string {
	g := newGraph(m.Modules)
	const (
		unseen = iota
		visiting
		done
	)
	state := make([]int, len(g.names))
	level := make([]int, len(g.names)) // -1: in or behind a cycle
	var visit func(i int) int
	visit = func(i int) int {
		switch state[i] {
		case done:
			return level[i]
		case visiting:
			return -1
		}
		state[i] = visiting
		l := 0
		for _, d := range g.deps[i] {
			dl := visit(d)
			if dl < 0 {
				l = -1
				break
			}
			l = max(l, dl+1)
		}
		state[i], level[i] = done, l
		return l
	}
	var layers [][]string
	for i := range g.names {
		l := visit(i)
		if l < 0 {
			continue
		}
		for len(layers) <= l {
			layers = append(layers, nil)
		}
		layers[l] = append(layers[l], g.names[i])
	}
	return layers
}

// Dependents lists the modules whose depends_on names name (or, for an
// instance, its module block), in manifest order; nil when there are none.
func (m *Manifest) Dependents(name string) []string {
	block := ""
	for _, mod := range m.Modules {
		if mod.Name == name {
			block = mod.InstanceOf
		}
	}
	var out []string
	for _, mod := range m.Modules {
		_, direct := mod.DependsOn[name]
		_, viaBlock := mod.DependsOn[block]
		if direct || block != "" && viaBlock {
			out = append(out, mod.Name)
		}
	}
	return out
}

// cycles finds dependency cycles among mods, each as a path that starts and
// ends with the same module, such as [a b c a], starting at the module of the
// cycle that comes first in mods; a module naming itself is [a a]. Every graph
// with a cycle yields at least one (one per edge that closes a cycle in a
// depth-first walk in manifest order), each at most once, in the order found.
func cycles(mods []Module) [][]string {
	g := newGraph(mods)
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]int, len(g.names))
	var path []int
	var out [][]string
	seen := map[string]bool{}
	var visit func(i int)
	visit = func(i int) {
		state[i] = onPath
		path = append(path, i)
		for _, d := range g.deps[i] {
			switch state[d] {
			case unseen:
				visit(d)
			case onPath:
				c := cycleFrom(path, d, g.names)
				if key := strings.Join(c, " "); !seen[key] {
					seen[key] = true
					out = append(out, c)
				}
			}
		}
		path = path[:len(path)-1]
		state[i] = done
	}
	for i := range g.names {
		if state[i] == unseen {
			visit(i)
		}
	}
	return out
}

// cycleFrom is the cycle that an edge from the end of path back to d, on the
// path, closes: the path's part from d, turned to start at its lowest index,
// and closed with that module again.
func cycleFrom(path []int, d int, names []string) []string {
	k := 0
	for path[k] != d {
		k++
	}
	loop := path[k:]
	first := 0
	for j, i := range loop {
		if i < loop[first] {
			first = j
		}
	}
	c := make([]string, 0, len(loop)+1)
	for j := range loop {
		c = append(c, names[loop[(first+j)%len(loop)]])
	}
	return append(c, c[0])
}
