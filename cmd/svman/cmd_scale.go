package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"svman/manifest"
	"svman/statusfs"
)

var scaleCommand = &command{
	name:    "scale",
	args:    "MODULE=N...",
	summary: "change how many instances of a module run, without editing the manifest",
	help: `Sets the number of instances of each named module (a module block with
instances = N; any process of a Procfile) and makes the running svman apply it at
once: going from 3 to 5 starts web.3 and web.4, going to 2 stops the highest ones,
and no other instance restarts. The count is recorded in status_dir (so that status,
ctl and diff see the same modules, and a restarted svman up keeps it) until the
manifest's instances for that module is edited: the manifest then wins again.
'svman diff' shows the counts that differ from the manifest.

  svman scale web=5 worker=2
  svman scale web=0        # stop every instance of web, keep the module

It returns once the running svman has applied the counts (the new instances are
supervised, the removed ones no longer), so 'svman scale web=5 && svman wait web'
waits for the five. Without a running svman, the count is recorded for the next
'svman up'. A Procfile's process scaled back to 1 is named as its line again.`,
	flags: func(fs *flag.FlagSet) { manifestFlag(fs) },
	run:   runScale,
}

func runScale(_ context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	file := manifestFlag(fs)
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "svman scale: name the modules and their counts, such as 'svman scale web=3'\n")
		return exitUsage
	}
	counts, err := parseCounts(strings.Join(fs.Args(), ","))
	if err != nil {
		fmt.Fprintf(stderr, "svman scale: %v\n", err)
		return exitUsage
	}
	m, ok := loadManifest(*file, stderr, false)
	if !ok {
		return exitFailure
	}
	changes, err := recordScale(m, counts)
	if err != nil {
		fmt.Fprintf(stderr, "svman scale: %v\n", err)
		return exitFailure
	}
	for _, ch := range changes {
		fmt.Fprintln(stdout, ch)
	}
	pid, err := hangUpSupervisor(m.StatusDir)
	switch {
	case errors.Is(err, errNoSupervisor):
		fmt.Fprintf(stdout, "no svman supervises %s now: 'svman up' will run these counts\n", m.StatusDir)
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "svman scale: recorded, but %v\n", err)
		return exitFailure
	}
	// Return once it is applied, so that 'svman scale web=5 && svman wait web'
	// waits for the new instances rather than judging the old set.
	if late := awaitScale(m, counts, scaleLimit(m, counts)); len(late) > 0 {
		fmt.Fprintf(stderr, "svman scale: svman (pid %d) has not applied it within %s: %s; see its output\n", pid, scaleLimit(m, counts), strings.Join(late, ", "))
		return exitFailure
	}
	fmt.Fprintf(stdout, "applied by svman (pid %d)\n", pid)
	return exitOK
}

// scaleLimit is how long svman scale waits for the running svman to apply
// counts: the longest stop_timeout of the blocks (a removed instance may
// take that long to stop), and 10 s for the reload and the starts.
func scaleLimit(m *manifest.Manifest, counts []moduleCount) time.Duration {
	limit := 10 * time.Second
	longest := time.Duration(0)
	for _, mod := range m.Modules {
		for _, c := range counts {
			if mod.InstanceOf == c.name || mod.Name == c.name {
				longest = max(longest, mod.StopTimeout)
			}
		}
	}
	return limit + longest
}

// awaitScale waits, up to limit, until the status directories under m's
// status_dir show counts applied: instances 0 … N-1 of each block supervised,
// and no higher one. It returns those not yet so, by name.
func awaitScale(m *manifest.Manifest, counts []moduleCount, limit time.Duration) []string {
	deadline := time.Now().Add(limit)
	for {
		var late []string
		entries, _ := os.ReadDir(m.StatusDir)
		for _, c := range counts {
			want, first := instanceNames(c), c.count // supervised, and the first instance that must not be
			if plainAgain(m, c) {
				want, first = []string{c.name}, 0
			}
			for _, name := range want {
				if !statusfs.Supervised(filepath.Join(m.StatusDir, name)) {
					late = append(late, name+" not supervised yet")
				}
			}
			for _, e := range entries {
				n, ok := instanceNumber(e.Name(), c.name)
				if ok && n >= first && statusfs.Supervised(filepath.Join(m.StatusDir, e.Name())) {
					late = append(late, e.Name()+" still supervised")
				}
			}
		}
		if len(late) == 0 || time.Now().After(deadline) {
			return late
		}
		time.Sleep(scalePoll)
	}
}

// instanceNames are the names of c's instances.
func instanceNames(c moduleCount) []string {
	names := make([]string, c.count)
	for i := range names {
		names[i] = manifest.InstanceName(c.name, i)
	}
	return names
}

// plainAgain reports whether c takes a Procfile's process back to the one
// process its line is, named as the line.
func plainAgain(m *manifest.Manifest, c moduleCount) bool {
	return manifest.IsProcfile(m.Path) && c.count == 1
}

// scalePoll is how often awaitScale looks: a lock taken or dropped makes no
// event to wait on.
const scalePoll = 20 * time.Millisecond

// parseCounts reads "web=2,worker=1" (foreman's formation; svman scale's
// arguments joined by commas) into counts by module name, in their order.
func parseCounts(s string) ([]moduleCount, error) {
	var out []moduleCount
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, n, ok := strings.Cut(item, "=")
		count, err := strconv.Atoi(n)
		switch {
		case !ok || name == "":
			return nil, fmt.Errorf("%q is not MODULE=N, such as web=3", item)
		case err != nil || count < 0 || count > manifest.MaxInstances:
			return nil, fmt.Errorf("%q: the count must be a whole number from 0 to %d", item, manifest.MaxInstances)
		case seen[name]:
			return nil, fmt.Errorf("%s is given twice", name)
		}
		seen[name] = true
		out = append(out, moduleCount{name, count})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no MODULE=N given")
	}
	return out, nil
}

// moduleCount is one MODULE=N.
type moduleCount struct {
	name  string
	count int
}

// recordScale records counts for the module blocks of m, and returns a line
// for each saying what changes. A module block without instances cannot be
// scaled, unless m is a Procfile (whose lines cannot say instances); a count
// equal to the manifest's removes the record.
func recordScale(m *manifest.Manifest, counts []moduleCount) ([]string, error) {
	procfile := manifest.IsProcfile(m.Path)
	plain := map[string]bool{}
	for _, mod := range m.Modules {
		if mod.InstanceOf == "" {
			plain[mod.Name] = true
		}
	}
	set := map[string]*manifest.ScaleRecord{} // nil: back to the manifest's count
	var lines []string
	for _, c := range counts {
		cur, block := m.Instances[c.name]
		switch {
		case block:
		case plain[c.name] && procfile:
			cur = manifest.InstanceCount{Count: 1, Declared: 1}
		case plain[c.name]:
			return nil, fmt.Errorf("module %s has no instances: write instances = 1 in its block of %s, then scale it", c.name, m.Path)
		default:
			return nil, fmt.Errorf("no module named %q in %s", c.name, m.Path)
		}
		var declared *int
		if !procfile {
			declared = &cur.Declared
		}
		set[c.name] = &manifest.ScaleRecord{Instances: c.count, Manifest: declared}
		line := fmt.Sprintf("%s: %d -> %d %s", c.name, cur.Count, c.count, plural(c.count, "instance", "instances"))
		switch {
		case declared != nil && c.count == *declared:
			set[c.name] = nil
		case plainAgain(m, c): // one process, named as the Procfile's line again
			set[c.name] = nil
		case declared != nil:
			line += fmt.Sprintf(" (the manifest says %d)", *declared)
		}
		lines = append(lines, line)
	}
	err := manifest.UpdateScale(m.StatusDir, func(recs map[string]manifest.ScaleRecord) error {
		for name, r := range set {
			if r == nil {
				delete(recs, name)
			} else {
				recs[name] = *r
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record the counts in %s: %v", m.StatusDir, err)
	}
	return lines, nil
}

// applyFormation records up's --formation as svman scale does, and loads the
// manifest at path again with it.
// The exit code is exitUsage for a formation that cannot be read, and
// exitFailure when it cannot be recorded or the manifest read again.
func applyFormation(path string, m *manifest.Manifest, formation string, stderr io.Writer, color bool) (*manifest.Manifest, int) {
	counts, err := parseCounts(formation)
	if err != nil {
		fmt.Fprintf(stderr, "svman up: --formation: %v\n", err)
		return nil, exitUsage
	}
	if _, err := recordScale(m, counts); err != nil {
		fmt.Fprintf(stderr, "svman up: --formation: %v\n", err)
		return nil, exitFailure
	}
	m, ok := loadManifest(path, stderr, color)
	if !ok {
		return nil, exitFailure
	}
	return m, exitOK
}
