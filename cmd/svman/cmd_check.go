package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

var checkCommand = &command{
	name:    "check",
	args:    "",
	summary: "validate a manifest without running anything",
	help: `Loads the manifest as 'svman up' would and reports every problem at once, each with
file:line:col, the source line and how to fix it. Exits 0 with a one-line summary when
the manifest is valid (after its warnings, such as a restart delay below svman's floor
of one second), 1 when it is not.`,
	flags: func(fs *flag.FlagSet) { checkFlags(fs) },
	run:   runCheck,
}

// checkFlags declares svman check's flags on fs and returns their values: the
// command table lists them from it, and runCheck parses them.
func checkFlags(fs *flag.FlagSet) (file *string, color *colorFlag) {
	return manifestFlag(fs), addColorFlag(fs)
}

func runCheck(_ context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	file, color := checkFlags(fs)
	if ok, code := parseNoArgs(fs, args); !ok {
		return code
	}
	m, ok := loadManifest(*file, stderr, color.enabled(stderr))
	if !ok {
		return exitFailure
	}
	if m.Warnings != nil {
		_ = m.Warnings.WriteText(stderr, color.enabled(stderr))
	}
	const listed = 8 // name a few modules; a long list hides the summary
	var names []string
	for i, mod := range m.Modules {
		if i == listed {
			names = append(names, fmt.Sprintf("and %d more", len(m.Modules)-listed))
			break
		}
		names = append(names, mod.Name)
	}
	fmt.Fprintf(stdout, "%s: ok, %d %s (%s), status_dir %s\n", *file, len(m.Modules),
		plural(len(m.Modules), "module", "modules"), strings.Join(names, ", "), m.StatusDir)
	return exitOK
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
