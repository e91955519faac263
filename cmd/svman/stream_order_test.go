package main

import (
	"regexp"
	"strings"
	"testing"
)

// lineIndex is the index of the first line of out that matches re, or -1.
func lineIndex(out, re string) int {
	rx := regexp.MustCompile(re)
	for i, l := range strings.Split(out, "\n") {
		if rx.MatchString(l) {
			return i
		}
	}
	return -1
}

// What `svman up` shows of a reload comes in the order it happened: the plan
// first, then the stops and starts it announces; and an added module's first
// line after the line that says it started.
func TestReloadPrintsThePlanFirst(t *testing.T) {
	p := newProject(t, helperModule("a", "sleeper")+helperModule("b", "sleeper"))
	sv := p.up()
	sv.waitOutput(`a +\| ready pid=`)
	sv.waitOutput(`b +\| ready pid=`)

	p.save("rename over", helperModuleEnv("b", "sleeper", map[string]string{"CHANGED": "1"})+helperModule("c", "sleeper"))
	m := sv.waitOutput(`c +\| ready pid=(\d+)`)
	sv.waitOutput(`a \(pid \d+\) killed by SIGTERM`)
	sv.waitOutput(`(?s)b started.*b started, pid \d+`)
	out := sv.out.String()
	// The save's additions and changes apply at once; a's removal waits until the
	// file is quiet, and its own plan comes then.
	plan := lineIndex(out, `svman +\| reload: \+1 -0 ~1 \(0 unchanged\): \+c ~b \(env \(CHANGED\)\); removal of a pending`)
	removal := lineIndex(out, `svman +\| reload: \+0 -1 ~0 \(2 unchanged\): -a`)
	if plan < 0 || removal < 0 {
		t.Fatalf("no reload plans in:\n%s", out)
	}
	for _, re := range []string{`svman +\| b stopping`, `svman +\| c started, pid ` + m[1]} {
		if i := lineIndex(out, re); i < plan {
			t.Errorf("%q at line %d, the plan at line %d:\n%s", re, i, plan, out)
		}
	}
	if i := lineIndex(out, `svman +\| a stopping`); i < removal {
		t.Errorf("a stopping at line %d, the plan of its removal at line %d:\n%s", i, removal, out)
	}
	if started, first := lineIndex(out, `svman +\| c started, pid `+m[1]), lineIndex(out, `c +\| ready pid=`+m[1]); first < started {
		t.Errorf("c's first line (line %d) before it started (line %d):\n%s", first, started, out)
	}
	sv.stop()
}
