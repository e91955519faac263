package main

import (
	"fmt"
	"os"
	"syscall"
	"testing"

	"svman/internal/testkit"
)

// roleEnv makes the test binary the harness's main, which plays the role its
// first argument names, as the bench binary does for the tools it measures.
const roleEnv = "BENCH_TEST_ROLE"

func TestMain(m *testing.M) {
	if os.Getenv(roleEnv) != "" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// forkLoopChildren is the module process of each marker the loop's children
// run, read from /proc.
func forkLoopChildren(loop int, base, n int) map[int]int {
	out := map[int]int{}
	for _, pid := range descendants(loop)[1:] {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || !alive(pid) {
			continue
		}
		if i, ok := parseMarker(b, base, n); ok {
			out[i] = pid
		}
	}
	return out
}

func TestForkLoopReplacesAndStops(t *testing.T) {
	const base = 4_000_000
	mods := []module{{name: "m0", argv: sleepArgv(base)}, {name: "m1", argv: sleepArgv(base + 1)}}
	l, err := forkLoopPeer{}.configure(&benchEnv{self: testkit.Executable()}, t.TempDir(), mods)
	if err != nil {
		t.Fatal(err)
	}
	l.cmd.Env = append(os.Environ(), roleEnv+"=1")
	l.cmd.Stderr = os.Stderr
	if err := l.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	loop := l.cmd.Process.Pid
	var seen []int
	t.Cleanup(func() {
		_ = l.cmd.Process.Kill()
		for _, pid := range seen {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		_ = l.cmd.Wait()
	})
	var first map[int]int
	testkit.WaitFor(t, "both modules running", func() bool {
		first = forkLoopChildren(loop, base, len(mods))
		return len(first) == 2
	})
	seen = append(seen, first[0], first[1])

	if err := syscall.Kill(first[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var now map[int]int
	testkit.WaitFor(t, "module 0 replaced after its kill", func() bool {
		now = forkLoopChildren(loop, base, len(mods))
		return now[0] != 0 && now[0] != first[0]
	})
	seen = append(seen, now[0])
	if now[1] != first[1] {
		t.Errorf("module 1 went from pid %d to %d, but only module 0 was killed", first[1], now[1])
	}
	for i, pid := range now {
		if pgid, err := syscall.Getpgid(pid); err != nil || pgid != pid {
			t.Errorf("module %d (pid %d) is in process group %d (%v), want its own", i, pid, pgid, err)
		}
	}

	// The default stop: SIGTERM to the loop ends it, and its death ends the modules.
	if err := l.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := l.cmd.Wait(); err == nil {
		t.Errorf("the loop exited 0 on SIGTERM, want killed by it")
	}
	testkit.WaitFor(t, "the modules gone with the loop", func() bool { return !alive(now[0]) && !alive(now[1]) })
}
