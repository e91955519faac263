package proc

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"svman/manifest"
)

// WrapperArg, as svman's first argument, makes it the exec wrapper that applies a
// module's resource limits and umask and then becomes the module's program (as daemontools'
// softlimit and runit's chpst do). Go cannot run code in a child between fork and
// exec, so limits that must hold from the program's first instruction are applied
// by this wrapper: svman forks itself, the wrapper sets them and execs the program
// in the same process, so the pid svman supervises is the program's.
const WrapperArg = "__svman-exec"

var limitResources = []struct {
	name     string
	resource int
	get      func(manifest.Limits) *uint64
}{
	{"core", unix.RLIMIT_CORE, func(l manifest.Limits) *uint64 { return l.Core }},
	{"nofile", unix.RLIMIT_NOFILE, func(l manifest.Limits) *uint64 { return l.NoFile }},
	{"nproc", unix.RLIMIT_NPROC, func(l manifest.Limits) *uint64 { return l.NProc }},
	{"memlock", unix.RLIMIT_MEMLOCK, func(l manifest.Limits) *uint64 { return l.MemLock }},
}

// wrap returns the path and argv that run path/argv under the exec wrapper with
// the module's limits, or path and argv unchanged when it sets none.
func wrap(l manifest.Limits, umask *uint32, path string, argv []string) (string, []string, error) {
	var args []string
	for _, r := range limitResources {
		if v := r.get(l); v != nil {
			args = append(args, r.name+"="+strconv.FormatUint(*v, 10))
		}
	}
	if umask != nil {
		args = append(args, "umask="+strconv.FormatUint(uint64(*umask), 10))
	}
	if len(args) == 0 {
		return path, argv, nil
	}
	self, err := os.Executable()
	if err != nil {
		return "", nil, fmt.Errorf("cannot find svman's own binary to apply limits: %w", err)
	}
	out := append([]string{self, WrapperArg}, args...)
	out = append(out, "--", path)
	return self, append(out, argv...), nil
}

// WrapperMain is svman run as the exec wrapper: args are NAME=VALUE limits, "--",
// the program's path and its argv. It returns only if it cannot exec; a limit it
// cannot raise that far (above the hard limit without privilege) is lowered to
// the hard limit, with a warning on stderr, rather than keep the module down.
func WrapperMain(args []string) int {
	sep := slices.Index(args, "--")
	if sep < 0 || len(args) < sep+3 {
		fmt.Fprintln(os.Stderr, "svman: exec wrapper: usage: NAME=VALUE... -- PATH ARGV0 [ARG...]")
		return 127
	}
	for _, kv := range args[:sep] {
		name, val, _ := strings.Cut(kv, "=")
		v, err := strconv.ParseUint(val, 10, 64)
		if err != nil {
			fmt.Fprintf(os.Stderr, "svman: exec wrapper: bad limit %q\n", kv)
			return 127
		}
		if name == "umask" {
			syscall.Umask(int(v))
			continue
		}
		for _, r := range limitResources {
			if r.name == name {
				setLimit(r.name, r.resource, v)
			}
		}
	}
	path, argv := args[sep+1], args[sep+2:]
	err := syscall.Exec(path, argv, os.Environ())
	fmt.Fprintf(os.Stderr, "svman: exec %s: %v\n", path, err)
	return 127
}

// setLimits applies l's limits to this process, each as setLimit does.
func setLimits(l manifest.Limits) {
	for _, r := range limitResources {
		if v := r.get(l); v != nil {
			setLimit(r.name, r.resource, *v)
		}
	}
}

// setLimit sets resource to v, or to its hard limit, with a warning on stderr,
// when v is above it and this process may not raise it.
func setLimit(name string, resource int, v uint64) {
	lim := unix.Rlimit{Cur: v, Max: v}
	if err := unix.Setrlimit(resource, &lim); err == nil {
		return
	}
	var cur unix.Rlimit
	if err := unix.Getrlimit(resource, &cur); err != nil {
		return
	}
	if v > cur.Max {
		fmt.Fprintf(os.Stderr, "svman: limits: %s %s is above the hard limit %s and needs privilege: using %s\n",
			name, limitString(v), limitString(cur.Max), limitString(cur.Max))
		v = cur.Max
	}
	lim = unix.Rlimit{Cur: v, Max: cur.Max}
	if err := unix.Setrlimit(resource, &lim); err != nil {
		fmt.Fprintf(os.Stderr, "svman: limits: cannot set %s to %s: %v\n", name, limitString(v), err)
	}
}

func limitString(v uint64) string {
	if v == unix.RLIM_INFINITY {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}
