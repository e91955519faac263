package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"svman/export"
	"svman/export/nomad"
	"svman/export/systemd"
	"svman/manifest"
)

var exportCommand = &command{
	name:    "export",
	args:    "systemd|nomad",
	summary: "write the manifest as systemd units or a Nomad job",
	help: `Writes the manifest as the configuration of another engine, for when one host is not
enough:

  svman export systemd -o /etc/systemd/system   one svman-MODULE.service per module and
                                                svman-PROJECT.target wanting them all
  svman export systemd --self -o DIR            one unit that runs 'svman up' itself
  svman export nomad -o app.nomad.json          one Nomad job, a group per module

What the target cannot express as the manifest means it (an alarm webhook on Nomad,
the backoff of a crash loop on systemd) is said as a warning at the manifest's
file:line:col; with --strict it is an error, and nothing is written. The same manifest
always gives byte-identical files. Without -o the files are printed to stdout.
--user, --self and --logs are systemd's (--logs not with --self, whose svman keeps
the logs itself); --driver, --datacenter, --artifact and --hcl are Nomad's.`,
	flags: func(fs *flag.FlagSet) { exportFlags(fs) },
	run:   runExport,
}

// exportOptions are svman export's flags.
type exportOptions struct {
	file, out, project *string
	strict             *bool
	// systemd's
	user, self *bool
	logs       *choiceValue
	// nomad's
	driver, datacenter *string
	hcl                *bool
	artifacts          *artifactFlags
}

// The flags only one target takes, by target.
var exportTargetFlags = map[string][]string{
	"systemd": {"user", "self", "logs"},
	"nomad":   {"driver", "datacenter", "hcl", "artifact"},
}

// exportFlags declares svman export's flags on fs.
func exportFlags(fs *flag.FlagSet) exportOptions {
	o := exportOptions{
		file:       manifestFlag(fs),
		out:        fs.String("o", "", "where to write: systemd's units go into the directory `PATH`, nomad's job into the file PATH (default: print to stdout)"),
		project:    fs.String("project", "", "the project's `NAME`: systemd's svman-NAME.target, Nomad's job (default: the manifest directory's name)"),
		strict:     fs.Bool("strict", false, "refuse to write anything the target cannot express as the manifest means it"),
		user:       fs.Bool("user", false, "systemd: units for the user's service manager (systemctl --user)"),
		self:       fs.Bool("self", false, "systemd: one unit that runs svman up on the manifest, instead of a unit per module"),
		logs:       &choiceValue{value: string(systemd.LogsJournal), words: []string{string(systemd.LogsJournal), string(systemd.LogsFiles)}},
		driver:     fs.String("driver", "raw_exec", "nomad: the task `DRIVER`, raw_exec or exec"),
		datacenter: fs.String("datacenter", "", "nomad: the datacenters the job may run in, `DC` or DC1,DC2 (default: Nomad's)"),
		hcl:        fs.Bool("hcl", false, "nomad: write the job in HCL rather than JSON"),
		artifacts:  &artifactFlags{},
	}
	fs.Var(o.logs, "logs", "systemd: where the modules' output goes: `WHERE` is journal, or files for the status directory's __stdout and __stderr")
	fs.Var(o.artifacts, "artifact", "nomad: `MODULE=URL` names the URL a client downloads MODULE's program from before its task starts")
	return o
}

func runExport(_ context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	o := exportFlags(fs)
	// The target may come anywhere among the flags: svman export systemd
	// -o DIR, svman export -f FILE systemd -o DIR.
	var target string
	var rest []string
	for {
		if ok, code := parseFlags(fs, args); !ok {
			return code
		}
		if fs.NArg() == 0 || target != "" {
			rest = fs.Args()
			break
		}
		target, args = fs.Arg(0), fs.Args()[1:]
	}
	switch {
	case target == "":
		fmt.Fprintf(stderr, "svman export: say what to export to: svman export systemd, or svman export nomad\n")
		return exitUsage
	case exportTargetFlags[target] == nil:
		fmt.Fprintf(stderr, "svman export: unknown target %q: svman exports to systemd or nomad\n", target)
		return exitUsage
	case len(rest) > 0:
		fmt.Fprintf(stderr, "svman export: unexpected argument %q (the manifest is given with -f FILE)\n", rest[0])
		return exitUsage
	}
	if bad := foreignFlag(fs, target); bad != "" {
		fmt.Fprintf(stderr, "svman export %s: %s is for svman export %s\n", target, dashed(bad), otherTarget(target))
		return exitUsage
	}
	if bad := selfIgnores(fs, *o.self); bad != "" {
		fmt.Fprintf(stderr, "svman export systemd: %s does not go with --self, whose one unit runs svman up: %s\n", dashed(bad), selfIgnoredFlags[bad])
		return exitUsage
	}
	m, ok := loadManifest(*o.file, stderr, false)
	if !ok {
		return exitFailure
	}
	notes := export.NewNotes(m)
	project := export.Project(m, *o.project)
	if target == "systemd" {
		return exportSystemd(m, o, project, notes, stdout, stderr)
	}
	return exportNomad(m, o, project, notes, stdout, stderr)
}

// exportSystemd writes the units of m.
func exportSystemd(m *manifest.Manifest, o exportOptions, project string, notes *export.Notes, stdout, stderr io.Writer) int {
	self, err := svmanPath()
	if err != nil {
		fmt.Fprintf(stderr, "svman export: %v\n", err)
		return exitFailure
	}
	files := systemd.Export(m, systemd.Options{
		Project: project, Svman: self, User: *o.user, Self: *o.self, Logs: systemd.Logs(o.logs.value),
	}, notes)
	if !reportNotes(notes, *o.strict, stderr) {
		return exitFailure
	}
	if *o.out == "" {
		if err := export.Print(stdout, "#", files); err != nil {
			return exitFailure
		}
		return exitOK
	}
	removed, err := export.WriteDir(*o.out, export.Header("#", m.Path), files, notes.Perm())
	for _, name := range removed {
		fmt.Fprintf(stderr, "svman export: removed %s, which an earlier export of %s wrote\n", filepath.Join(*o.out, name), m.Path)
	}
	if err != nil {
		fmt.Fprintf(stderr, "svman export: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "wrote %d %s to %s\n", len(files), plural(len(files), "unit", "units"), *o.out)
	return exitOK
}

// exportNomad writes the job of m.
func exportNomad(m *manifest.Manifest, o exportOptions, project string, notes *export.Notes, stdout, stderr io.Writer) int {
	var dcs []string
	for dc := range strings.SplitSeq(*o.datacenter, ",") {
		if dc = strings.TrimSpace(dc); dc != "" {
			dcs = append(dcs, dc)
		}
	}
	opts := nomad.Options{Project: project, Driver: *o.driver, Datacenters: dcs, Artifacts: o.artifacts.urls, HCL: *o.hcl}
	if err := opts.Check(m); err != nil {
		fmt.Fprintf(stderr, "svman export nomad: %v\n", err)
		return exitUsage
	}
	job, err := nomad.Export(m, opts, notes)
	if err != nil {
		fmt.Fprintf(stderr, "svman export: %v\n", err)
		return exitFailure
	}
	if !reportNotes(notes, *o.strict, stderr) {
		return exitFailure
	}
	if *o.out == "" {
		if _, err := stdout.Write(job); err != nil {
			return exitFailure
		}
		return exitOK
	}
	if err := export.WriteFile(*o.out, job, notes.Perm(), func(old []byte) bool { return nomad.Made(old, m.Path) }); err != nil {
		fmt.Fprintf(stderr, "svman export: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "wrote the job %s to %s\n", project, *o.out)
	return exitOK
}

// reportNotes prints what the export cannot carry over, and reports whether
// it may go on: not with --strict when there is something to say.
func reportNotes(notes *export.Notes, strict bool, stderr io.Writer) bool {
	d := notes.Diagnostics(strict)
	if d == nil {
		return true
	}
	_ = d.WriteText(stderr, false)
	if n := notes.Differences(); strict && n > 0 {
		fmt.Fprintf(stderr, "svman export: %d %s above: nothing written (--strict)\n", n, plural(n, "difference", "differences"))
		return false
	}
	return true
}

// foreignFlag is the first flag set on fs that belongs to the other target,
// or "".
func foreignFlag(fs *flag.FlagSet, target string) string {
	bad := ""
	fs.Visit(func(f *flag.Flag) {
		if bad == "" && slices.Contains(exportTargetFlags[otherTarget(target)], f.Name) {
			bad = f.Name
		}
	})
	return bad
}

// selfIgnoredFlags are the flags of svman export systemd that --self has no
// use for, and why: given with it, they would be ignored. (--user,
// --project, --strict and -o mean the same with --self.)
var selfIgnoredFlags = map[string]string{
	"logs": "svman keeps the modules' output in the status directory, as their log blocks say",
}

// selfIgnores is the first flag set on fs that --self would ignore, when
// self is set; "" otherwise.
func selfIgnores(fs *flag.FlagSet, self bool) string {
	bad := ""
	fs.Visit(func(f *flag.Flag) {
		if _, ignored := selfIgnoredFlags[f.Name]; self && bad == "" && ignored {
			bad = f.Name
		}
	})
	return bad
}

// otherTarget is the target that is not target.
func otherTarget(target string) string {
	if target == "systemd" {
		return "nomad"
	}
	return "systemd"
}

// svmanPath is the absolute path of the running svman, symlinks resolved,
// for the units that call it back.
func svmanPath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot tell where this svman is, which the units call: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	return exe, nil
}
