package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"svman/logmux"
	"svman/manifest"
)

// consoleBuffer is how many lines of one module may wait for the console: beyond
// it, the module waits for room while the console takes lines, and its lines are
// dropped from the console (never from the log files) while the console is
// stalled. A stall therefore costs the module nothing until it has written this
// many lines. The console's queue as a whole is bounded in bytes too
// (logmux.MaxQueued).
const consoleBuffer = 65536

// viewFlags are how `svman up` shows the stream: which modules, with or without
// prefixes and times.
type viewFlags struct {
	timestamps, noTimestamps *bool
	only, except             *string
	raw                      *bool
	json                     *bool
}

func addViewFlags(fs *flag.FlagSet) viewFlags {
	return viewFlags{
		timestamps:   fs.Bool("timestamps", true, "prefix lines with the time (the default)"),
		noTimestamps: fs.Bool("no-timestamps", false, "do not prefix lines with the time"),
		only:         fs.String("only", "", "show only these modules' output, `NAMES` separated by commas (the log files get everything)"),
		except:       fs.String("except", "", "do not show these modules' output, `NAMES` separated by commas"),
		raw:          fs.Bool("raw", false, "print one module's output as is, without prefixes (use with --only NAME); svman's own lines go to stderr"),
		json:         fs.Bool("json", false, "print NDJSON: one object per line of a module, and per event of svman, with its fields (no colors, no prefix)"),
	}
}

// jsonConflicts says which flag contradicts --json, if any: the objects are
// never colored nor raw, and always have their time.
func (v viewFlags) jsonConflicts(color colorFlag) error {
	switch {
	case !*v.json:
		return nil
	case *v.raw:
		return fmt.Errorf("--json and --raw contradict each other: --json prints every byte of a line in its object; --raw prints it unframed")
	case *v.noTimestamps:
		return fmt.Errorf("--json and --no-timestamps contradict each other: every object has its time (ts)")
	case color == "always":
		return fmt.Errorf("--json and --color=always contradict each other: JSON is never colored")
	}
	return nil
}

// options checks the flags against the manifest and returns the console's options.
// terminal says the console is read on a terminal (see terminalText).
func (v viewFlags) options(m *manifest.Manifest, color, terminal bool, stderr io.Writer) (logmux.Options, error) {
	names := make([]string, len(m.Modules))
	for i, mod := range m.Modules {
		names[i] = mod.Name
	}
	only, err := moduleList(*v.only, names)
	if err != nil {
		return logmux.Options{}, fmt.Errorf("--only: %w", err)
	}
	except, err := moduleList(*v.except, names)
	if err != nil {
		return logmux.Options{}, fmt.Errorf("--except: %w", err)
	}
	if err := v.jsonConflicts("auto"); err != nil {
		return logmux.Options{}, err
	}
	if *v.raw && len(only) != 1 {
		return logmux.Options{}, fmt.Errorf("--raw shows one module's output as is: name it with --only NAME")
	}
	o := logmux.Options{
		Color:      color,
		Timestamps: *v.timestamps && !*v.noTimestamps,
		Buffer:     consoleBuffer,
		StripANSI:  !color, // a child's colors are for a terminal
		Escape:     terminal,
		Raw:        *v.raw,
		System:     stderr,
		JSON:       *v.json,
	}
	if o.JSON {
		o.Color, o.StripANSI, o.Escape = false, false, false
	}
	if len(only) > 0 || len(except) > 0 {
		o.Show = func(name string) bool {
			return (len(only) == 0 || slices.Contains(only, name)) && !slices.Contains(except, name)
		}
	}
	return o, nil
}

// moduleList splits a comma-separated list of module names, each of which must
// be in the manifest.
func moduleList(s string, known []string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if !slices.Contains(known, n) {
			return nil, fmt.Errorf("no module named %q (modules: %s)", n, strings.Join(known, ", "))
		}
		out = append(out, n)
	}
	return out, nil
}
