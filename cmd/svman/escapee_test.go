package main

import (
	"strconv"
	"testing"
)

// A module that detaches a daemon (setsid, then its own process exits) leaves
// that daemon to svman, the subreaper. When the module's process ends, svman
// finds the daemon among its children and stops it before it starts the module
// again: two instances of a module never run at once.
func TestRestartStopsTheDetachedDaemonFirst(t *testing.T) {
	p := newProject(t, helperModule("d", "daemon-middle", `restart { policy = "always" }`))
	sv := p.up()
	defer sv.stop()
	first := sv.waitOutput(`daemon pid=(\d+)`)
	pid, _ := strconv.Atoi(first[1])
	sv.waitOutput(`exited with code 0 after .*\n.*d stopping: SIGTERM sent`)
	// The next run's daemon comes after the first one is gone.
	sv.waitOutput(`daemon pid=(?:[0-9]+)[\s\S]*daemon pid=`)
	if pidAlive(pid) {
		t.Errorf("the first daemon (pid %d) still runs beside the next one", pid)
	}
}
