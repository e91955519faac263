package engine

import (
	"path/filepath"
	"reflect"
	"testing"

	"svman/internal/testkit"
	"svman/manifest"
	"svman/statusfs"
)

// An edit's removals are held back: the held modules stay in force with their
// running blocks; a later edit that has them again cancels the removal.
func TestHoldBack(t *testing.T) {
	running := []manifest.Module{mod("a"), mod("b"), mod("c")}
	half := []manifest.Module{mod("a", func(m *manifest.Module) { m.Env = map[string]string{"A": "2"} }), mod("d")}
	p := Diff(running, half)
	inForce, pending := holdBack(&p, running, half)
	if len(p.Remove) != 0 || !reflect.DeepEqual(p.Pending, []string{"b", "c"}) {
		t.Errorf("plan after holdBack = %+v, want no removal and b, c pending", p)
	}
	if got := p.String(); got != "+1 -0 ~1 (0 unchanged): +d ~a (env (A)); removal of b, c pending until the file is quiet" {
		t.Errorf("plan = %q", got)
	}
	var names []string
	for _, m := range inForce {
		names = append(names, m.Name)
	}
	if !reflect.DeepEqual(names, []string{"a", "d", "b", "c"}) || !reflect.DeepEqual(inForce[2], mod("b")) {
		t.Errorf("in force = %v, want a d b c with b and c as they run", names)
	}
	if !reflect.DeepEqual(pending, map[string]bool{"b": true, "c": true}) {
		t.Errorf("pending = %v", pending)
	}

	whole := append(half, mod("b"), mod("c", func(m *manifest.Module) { m.Dir = "/tmp" }))
	p = Diff(inForce, whole)
	p.Cancelled = backFromPending(pending, whole)
	if got := p.String(); got != "+0 -0 ~1 (3 unchanged): ~c (dir); removal of b, c cancelled: the block is back" {
		t.Errorf("plan of the whole file = %q", got)
	}
}

// ApplyEdit leaves the modules whose blocks are missing running, untouched, and
// one released with x released; the next ApplyEdit with the blocks back changes
// nothing; Apply removes.
func TestApplyEditHoldsRemovals(t *testing.T) {
	h := newHarness(t)
	a, b, c, r := h.module("a", "showenv", nil), h.module("b", "showenv", nil), h.module("c", "showenv", nil), h.module("r", "showenv", nil)
	h.apply(a, b, c, r)
	pids := map[string]int{"a": h.waitUp("a"), "b": h.waitUp("b"), "c": h.waitUp("c")}
	h.waitUp("r")
	if err := statusfs.SendControl(filepath.Join(h.status, "r"), []byte("dx")); err != nil {
		t.Fatal(err)
	}
	h.waitEnded("r")
	applyEdit := func(mods ...manifest.Module) string {
		t.Helper()
		p, err := h.e.ApplyEdit(&manifest.Manifest{StatusDir: h.status, Modules: mods})
		if err != nil {
			t.Fatal(err)
		}
		return p.String()
	}

	if got := applyEdit(a); got != "+0 -0 ~0 (1 unchanged); removal of b, c pending until the file is quiet" {
		t.Errorf("plan of the first half = %q", got)
	}
	if got := applyEdit(a, b, c, r); got != "+0 -0 ~0 (3 unchanged); removal of b, c cancelled: the block is back" {
		t.Errorf("plan of the whole file = %q", got)
	}
	if statusfs.Supervised(filepath.Join(h.status, "r")) {
		t.Error("r, released with x, is supervised again after its block went and came back")
	}
	for name, pid := range pids {
		if h.pid(name) != pid || !alive(pid) {
			t.Errorf("%s: pid %d, was %d: a held removal touched it", name, h.pid(name), pid)
		}
	}
	if n := h.ev.count("b", Stopping) + h.ev.count("c", Stopping); n != 0 {
		t.Errorf("%d stops of b and c, want none", n)
	}

	if got := applyEdit(a, b, r); got != "+0 -0 ~0 (2 unchanged); removal of c pending until the file is quiet" {
		t.Errorf("plan without c = %q", got)
	}
	if got := h.apply(a, b, r).String(); got != "+0 -1 ~0 (2 unchanged): -c" {
		t.Errorf("plan once quiet = %q", got)
	}
	testkit.WaitFor(t, "c released", func() bool { return !statusfs.Supervised(filepath.Join(h.status, "c")) && !alive(pids["c"]) })
}
