package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"syscall"

	"svman/statusfs"
)

var reloadCommand = &command{
	name:    "reload",
	args:    "",
	summary: "make the running svman read its manifest again",
	help: `Sends SIGHUP to the svman that supervises the status directories of the manifest
(found from the holders of their lock files, never from a pid file that can be stale).
That svman reads its manifest again and prints the plan it applies in its output.
Saving the manifest does the same by itself; reload is for scripts and for changes
svman cannot see, such as a file() a module reads.`,
	flags: func(fs *flag.FlagSet) { addTargetFlags(fs) },
	run:   runReload,
}

func runReload(_ context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	tf := addTargetFlags(fs)
	if ok, code := parseNoArgs(fs, args); !ok {
		return code
	}
	root, ok := tf.root(stderr)
	if !ok {
		return exitFailure
	}
	pid, err := hangUpSupervisor(root)
	switch {
	case errors.Is(err, errNoSupervisor):
		fmt.Fprintf(stderr, "svman reload: no svman supervises the modules in %s (start one with 'svman up')\n", root)
		return exitFailure
	case err != nil:
		fmt.Fprintf(stderr, "svman reload: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "sent SIGHUP to svman (pid %d): it prints the plan it applies\n", pid)
	return exitOK
}

// errNoSupervisor is hangUpSupervisor's error when no svman holds the lock files.
var errNoSupervisor = errors.New("no svman supervises the modules")

// hangUpSupervisor sends SIGHUP to the one svman that holds the lock files
// under root, which makes it read its manifest again, and returns its pid.
func hangUpSupervisor(root string) (int, error) {
	pids := supervisorPIDs(root)
	switch len(pids) {
	case 0:
		return 0, errNoSupervisor
	case 1:
	default:
		return 0, fmt.Errorf("the modules in %s are held by several processes (pids %v): reload the one you mean with 'kill -HUP PID'", root, pids)
	}
	if err := syscall.Kill(pids[0], syscall.SIGHUP); err != nil {
		return pids[0], fmt.Errorf("cannot signal svman (pid %d): %v", pids[0], err)
	}
	return pids[0], nil
}

// supervisorPIDs are the distinct holders of the lock files under root, sorted:
// svman up's on root itself (even with no module left), and every module's.
func supervisorPIDs(root string) []int {
	entries, _ := os.ReadDir(root)
	seen := map[int]bool{}
	var pids []int
	if pid, ok := statusfs.RootHolder(root); ok {
		seen[pid] = true
		pids = append(pids, pid)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if pid, ok := statusfs.LockHolder(filepath.Join(root, e.Name())); ok && !seen[pid] {
			seen[pid] = true
			pids = append(pids, pid)
		}
	}
	sort.Ints(pids)
	return pids
}
