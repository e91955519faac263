package engine

import (
	"bytes"
	"encoding/json"

	"svman/manifest"
	"svman/statusfs"
)

// Why a module is down, as state.json's reason records it.
const (
	downByOperator = "operator" // `d` (or `svman ctl NAME down`)
	downByPolicy   = "policy"   // given up on, or its restart policy keeps it down
	downByRemoval  = "removal"  // its block was removed, or svman stopped
	downByRelease  = "released" // `x` ended its supervision
)

// keeps is the rule for a module added again: given what its status directory
// records (state.json, the status file's want) and whether its block is the one
// module.json recorded, it says whether the module keeps that state, and how the
// plan names it. A module svman gave up on stays failed and one taken down with
// `d` stays down, as long as its block is unchanged; anything else starts as its
// block says.
func keeps(st State, want statusfs.Want, sameBlock bool) (string, bool) {
	switch {
	case !sameBlock || want != statusfs.WantDown:
		return "", false
	case st.State == "failed":
		return "failed", true
	case st.State == "down" && st.Reason == downByOperator:
		return "down by d", true
	}
	return "", false
}

// keptDecision reads what the status directory dir records of mod, which is
// being added again, and returns the state it keeps (nil: none), naming it in
// the plan's Kept.
func keptDecision(p *Plan, dir string, mod manifest.Module) *State {
	st, err := ReadState(dir)
	if err != nil {
		return nil
	}
	status, err := statusfs.ReadStatus(dir)
	if err != nil {
		return nil
	}
	applied, err := statusfs.ReadApplied(dir)
	if err != nil {
		return nil
	}
	b, err := json.Marshal(mod)
	if err != nil {
		return nil
	}
	what, ok := keeps(st, status.Want, bytes.Equal(applied, b))
	if !ok {
		return nil
	}
	if p.Kept == nil {
		p.Kept = make(map[string]string)
	}
	p.Kept[mod.Name] = what
	return &st
}

// restoreKept makes the supervisor of a module added again take up the state
// the engine found recorded (s.kept): it stays failed or down instead of
// starting. The counters it records come back too; the alarm window does not.
func (s *supervisor) restoreKept() {
	if s.kept == nil {
		return
	}
	st := *s.kept
	s.kept = nil
	s.want, s.downBy = statusfs.WantDown, st.Reason
	if st.State == "failed" {
		s.state = stFailed
		s.history.Fails, s.history.Exits = st.Fails, st.Exits
	}
}
