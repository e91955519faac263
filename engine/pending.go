package engine

import "svman/manifest"

// A manifest saved in pieces (a paste into `cat >`, a slow copy) is seen half
// written: its first part lacks the blocks its second part brings. Applying that
// half would stop modules and start them again, and lose what was decided about
// them. So an edit (ApplyEdit) applies additions and changes at once but holds
// its removals back: the modules keep running with the blocks they have, and the
// owner applies the removals (Apply) once the file has been quiet long enough to
// be a whole save.

// holdBack turns the plan's removals into pending ones. It returns the blocks in
// force afterwards (desired, then the held modules' running blocks, in their
// running order) and the set of pending names.
func holdBack(p *Plan, running, desired []manifest.Module) ([]manifest.Module, map[string]bool) {
	pending := make(map[string]bool, len(p.Remove))
	for _, name := range p.Remove {
		pending[name] = true
	}
	p.Pending, p.Remove = p.Remove, nil
	inForce := make([]manifest.Module, 0, len(desired)+len(pending))
	inForce = append(inForce, desired...)
	for _, m := range running {
		if pending[m.Name] {
			inForce = append(inForce, m)
		}
	}
	return inForce, pending
}

// backFromPending lists, in desired order, the modules whose removal was pending
// and whose blocks the desired set has again: their removal is cancelled.
func backFromPending(pending map[string]bool, desired []manifest.Module) []string {
	var out []string
	for _, m := range desired {
		if pending[m.Name] {
			out = append(out, m.Name)
		}
	}
	return out
}
