package engine

import (
	"slices"
	"testing"

	"svman/internal/testkit"
	"svman/manifest"
	"svman/statusfs"
)

// instance makes mod instance i of block.
func instance(mod manifest.Module, block string, i int) manifest.Module {
	mod.InstanceOf, mod.Instance = block, i
	return mod
}

// A dependency on a module block with instances waits for every instance in
// force, and for none when it has none; scaling the block changes what the
// dependent waits for without restarting it or the instances that stay.
func TestDependencyOnInstances(t *testing.T) {
	h := newHarness(t)
	web0 := instance(h.orderModule("web.0", nil), "web", 0)
	web1 := instance(h.orderModule("web.1", nil), "web", 1)
	web1.Autostart = false
	api := h.orderModule("api", map[string]manifest.Condition{"web": manifest.CondReady})
	apply := func(count int, mods ...manifest.Module) {
		t.Helper()
		m := &manifest.Manifest{StatusDir: h.status, Modules: mods,
			Instances: map[string]manifest.InstanceCount{"web": {Count: count, Declared: count}}}
		if _, err := h.e.Apply(m); err != nil {
			t.Fatal(err)
		}
	}

	apply(2, web0, web1, api)
	testkit.WaitFor(t, "api waiting for web.1", func() bool { return h.state("api").Waiting == "web.1 down" })
	pid0 := h.pid("web.0")

	apply(1, web0, api) // scaled down to one instance, which is ready
	if got := h.waitOrder(2); !slices.Equal(got, []string{"start:web.0", "start:api"}) {
		t.Errorf("started %v, want web.0 then api", got)
	}
	apiPID := h.waitUp("api")

	apply(0, api) // no instance at all: nothing to wait for
	testkit.WaitFor(t, "web.0 stopped", func() bool { return h.state("web.0").State == statusfs.RunDown || h.pid("web.0") == 0 })
	apply(1, web0, api)
	testkit.WaitFor(t, "web.0 back", func() bool { return h.state("web.0").Ready })
	if h.pid("api") != apiPID {
		t.Errorf("api restarted (pid %d, was %d) while its dependency was scaled", h.pid("api"), apiPID)
	}
	if h.pid("web.0") == pid0 {
		t.Errorf("web.0 kept pid %d across its removal", pid0)
	}
}
